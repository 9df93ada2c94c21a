import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WxAuthGuard, WxAuthScope, type WxProfile, type WxStateInfo } from 'nest-wx-oauth';
import { toDemoUser } from './demo-user.js';
import { SessionService } from './session.service.js';

/** The WeChat login, written the way an app using nest-wx-oauth writes it. */
@Controller()
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  /** Website QR login, for desktop browsers. */
  @Get('auth/wechat/qr')
  @WxAuthScope('snsapi_login')
  @UseGuards(WxAuthGuard)
  loginWithQr(): void {}

  /** Official-account login, inside WeChat's in-app browser (scope from WX_SCOPE). */
  @Get('auth/wechat/mp')
  @UseGuards(WxAuthGuard)
  loginInWeChat(): void {}

  @Get('auth/wechat/callback')
  @UseGuards(WxAuthGuard)
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.start(res, toDemoUser(req.user as WxProfile));
    const { returnTo } = (req.authInfo as { state?: WxStateInfo } | undefined)?.state ?? {};
    res.redirect(returnTo ?? '/profile');
  }

  @Get('logout')
  logout(@Res() res: Response): void {
    this.sessions.end(res);
    res.redirect('/');
  }
}
