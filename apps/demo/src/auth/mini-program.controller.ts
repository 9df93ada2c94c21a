import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { WxAuthGuard, WxMiniProgramLoginRoute } from 'nest-wx-oauth';
import type { DemoLogin } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';
import { SessionService } from './session.service.js';
import { type TokenLogin, tokenLogin } from './token-login.js';

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
  logIn(@Req() req: Request): Promise<TokenLogin> {
    return tokenLogin(this.sessions, this.users, req.user as DemoLogin, 'mini-program');
  }
}
