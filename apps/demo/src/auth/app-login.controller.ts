import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { WxAppLoginRoute, type WxAppState, WxAppStates, WxAuthGuard } from 'nest-wx-oauth';
import type { DemoLogin } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';
import { SessionService } from './session.service.js';
import { type TokenLogin, tokenLogin } from './token-login.js';

export const APP_LOGIN_PATH = '/auth/wechat/app';
export const APP_STATE_PATH = '/auth/wechat/app/state';

/**
 * The native app's side of the demo, as an app using nest-wx-oauth writes it:
 * the app asks for a state, puts it in the OpenSDK's `SendAuthReq`, and posts
 * WeChat's code with it (or a multi-end app's `wx.weixinAppLogin()` code, with
 * `multiEnd: true`); it gets the site's bearer token, as the mini-program does,
 * for the same person as on the web, by unionid.
 */
@Controller()
export class AppLoginController {
  constructor(
    private readonly states: WxAppStates,
    private readonly sessions: SessionService,
    private readonly users: DemoUsers,
  ) {}

  /** A single-use state, so that a code injected through the app's URL scheme logs nobody in. */
  @Post(APP_STATE_PATH)
  @HttpCode(200)
  state(@Req() req: Request): Promise<WxAppState> {
    return this.states.issue(req);
  }

  @Post(APP_LOGIN_PATH)
  @HttpCode(200)
  @WxAppLoginRoute()
  @UseGuards(WxAuthGuard)
  logIn(@Req() req: Request): Promise<TokenLogin> {
    return tokenLogin(this.sessions, this.users, req.user as DemoLogin, 'mobile app');
  }
}
