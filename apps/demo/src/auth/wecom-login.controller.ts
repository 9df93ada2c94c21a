import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WxAuthGuard, type WxAuthInfo, WxWeComLoginRoute } from 'nest-wx-oauth';
import type { DemoLogin } from './demo-user.js';
import { SessionService } from './session.service.js';

/** The WeCom login's route: its start and its callback (`WX_WECOM_CALLBACK_URL`). */
export const WECOM_LOGIN_PATH = '/auth/wecom';

/**
 * "Log in with WeCom" (企业微信登录), written the way an app using nest-wx-oauth writes it:
 * one route starts the login (inside the WeCom client its authorize page, asking the member to
 * share their details; elsewhere WeCom's web login page, which gives the userid alone) and is
 * where WeCom brings it back. Only the corp's members log in: anyone else gets a 403.
 */
@Controller()
export class WeComLoginController {
  constructor(private readonly sessions: SessionService) {}

  /** `req.user` is `WeChatUsers`' user: the member, a demo user of their own. */
  @Get(WECOM_LOGIN_PATH)
  @WxWeComLoginRoute({ scope: 'snsapi_privateinfo' })
  @UseGuards(WxAuthGuard)
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.start(res, req.user as DemoLogin);
    res.redirect((req.authInfo as WxAuthInfo).state.returnTo ?? '/profile');
  }
}
