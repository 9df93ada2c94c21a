import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  InjectWxOAuthOptions,
  isWeChatBrowser,
  WxOAuthError,
  type WxOAuthModuleOptions,
  WxQrLogin,
} from 'nest-wx-oauth';
import { WECOM_LOGIN_PATH } from '../auth/wecom-login.controller.js';
import { DEMO_OPTIONS, type DemoOptions } from '../demo.constants.js';
import { followLoginPage, openInWeChatPage, qrLoginPage } from './views.js';

/**
 * "Log in with WeChat": inside WeChat, the official account's login; on a
 * computer, WeChat's QR code inside this page (wxLogin.js) with the state
 * minted here, or, with no website app, the official account's follow-to-log-in
 * QR code when its message push is set, else a page that says to open the site
 * in WeChat. A site with WeCom alone logs in with WeCom.
 */
@Controller()
export class LoginController {
  constructor(
    private readonly qrLogin: WxQrLogin,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
    @InjectWxOAuthOptions() private readonly wx: WxOAuthModuleOptions,
  ) {}

  @Get('login')
  async login(
    @Req() req: Request,
    @Res() res: Response,
    @Query('returnTo') returnTo?: string,
  ): Promise<void> {
    const query = typeof returnTo === 'string' ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
    const { logins } = this.options;
    if (!logins.wechat && logins.wecom) return res.redirect(`${WECOM_LOGIN_PATH}${query}`);
    if (isWeChatBrowser(req.headers['user-agent'])) return res.redirect(`/auth/wechat/mp${query}`);
    res.set('Cache-Control', 'no-store').type('html');
    try {
      const settings = await this.qrLogin.settings(req, res, { returnTo });
      res.send(
        qrLoginPage(
          settings,
          this.options.wxLoginJsUrl,
          `/auth/wechat/qr${query}`,
          this.options.banner,
        ),
      );
    } catch (error) {
      if (!(error instanceof WxOAuthError) || error.kind !== 'flow_unavailable') throw error;
      if (this.wx.messagePush) return res.redirect(`/login/follow${query}`);
      res.send(openInWeChatPage(pageUrl(req), this.options.banner));
    }
  }

  /** The follow login, on its own route whatever the apps; `/login` sends here without a website app. */
  @Get('login/follow')
  followLogin(@Res() res: Response, @Query('returnTo') returnTo?: string): void {
    res.set('Cache-Control', 'no-store').type('html');
    res.send(
      followLoginPage(typeof returnTo === 'string' ? returnTo : undefined, this.options.banner),
    );
  }
}

/** This page's own address, for the QR code a phone scans to open it in WeChat. */
export function pageUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.originalUrl}`;
}
