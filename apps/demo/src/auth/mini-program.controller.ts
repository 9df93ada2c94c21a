import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { WxAuthGuard, WxMiniProgramLoginRoute } from 'nest-wx-oauth';
import { BearerGuard } from './bearer.guard.js';
import type { DemoUser } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';
import { SessionService } from './session.service.js';

/** What the mini-program's login answers. */
export interface MiniProgramLogin {
  /** The site's own token, which the mini-program sends as `Authorization: Bearer <token>`. */
  token: string;
  user: DemoUser;
  /** Whether this login joined the person's web logins (the same unionid). */
  linked: boolean;
  /** Why it could not, when WeChat gave no unionid. */
  note?: string;
}

export const MINI_PROGRAM_LOGIN_PATH = '/auth/wechat/miniprogram';

/**
 * The mini-program's side of the demo, written the way an app using
 * nest-wx-oauth writes it: `wx.login()`'s code (and the phone button's) in, the
 * site's bearer token out; the user is the same person as on the web, by unionid.
 */
@Controller()
export class MiniProgramController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: DemoUsers,
  ) {}

  @Post(MINI_PROGRAM_LOGIN_PATH)
  @HttpCode(200)
  @WxMiniProgramLoginRoute()
  @UseGuards(WxAuthGuard)
  async logIn(@Req() req: Request): Promise<MiniProgramLogin> {
    const user = req.user as DemoUser;
    const linked = user.unionid !== undefined;
    return {
      token: await this.sessions.issueBearer(user),
      user,
      linked,
      ...(linked
        ? {}
        : {
            note: 'WeChat sent no unionid: the mini-program is not bound to the Open Platform account of the web apps, so this is a separate user',
          }),
    };
  }

  /** The person as now known: every app's openid, the phone number when shared. */
  @Get('api/me')
  @UseGuards(BearerGuard)
  me(@Req() req: Request): DemoUser {
    return this.users.current(req.user as DemoUser);
  }
}
