import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WxAuthGuard, WxAuthScope, WxTokenService, type WxAuthInfo } from 'nest-wx-oauth';
import { SITE_TENANT } from '../merchants/demo-tenants.js';
import { merchantPath } from '../merchants/merchant-path.js';
import type { DemoLogin } from './demo-user.js';
import { InWeChatGuard } from './in-wechat.guard.js';
import { SessionService } from './session.service.js';

/** The WeChat login, written the way an app using nest-wx-oauth writes it. */
@Controller()
export class AuthController {
  constructor(
    private readonly sessions: SessionService,
    private readonly tokens: WxTokenService,
  ) {}

  /** The app for the browser: the official account inside WeChat, the website QR login elsewhere. */
  @Get('auth/wechat')
  @UseGuards(WxAuthGuard)
  login(): void {}

  /** Website QR login on WeChat's own page, for desktop browsers. */
  @Get('auth/wechat/qr')
  @WxAuthScope('snsapi_login')
  @UseGuards(WxAuthGuard)
  loginWithQr(): void {}

  /** Official-account login, inside WeChat's in-app browser (scope from WX_SCOPE). */
  @Get('auth/wechat/mp')
  @UseGuards(InWeChatGuard)
  loginInWeChat(): void {}

  /** One callback for both apps: the login's state says which app started it; `req.user` is `WeChatUsers`' user. */
  @Get('auth/wechat/callback')
  @UseGuards(WxAuthGuard)
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.start(res, req.user as DemoLogin);
    const { returnTo, tenant } = (req.authInfo as WxAuthInfo).state;
    // A merchant's customer (the SaaS's tenants) lands on their profile at that merchant.
    const profile =
      tenant && tenant !== SITE_TENANT ? merchantPath(tenant, '/profile') : '/profile';
    res.redirect(returnTo ?? profile);
  }

  @Get('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    // A store that is down must not keep the user logged in: the cookie goes whatever it answers.
    const user = await this.sessions.end(req, res);
    // Logging out also drops the saved WeChat tokens (a WeCom login saves none).
    if (user && !user.wecom)
      await this.tokens.forget(user.openid, user.appid).catch(() => undefined);
    res.redirect('/');
  }
}
