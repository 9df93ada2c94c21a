import { Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WxAuthGuard, type WxAuthInfo, WxFollowLogin, WxFollowLoginRoute } from 'nest-wx-oauth';
import type { DemoLogin } from './demo-user.js';
import { SessionService } from './session.service.js';

/** The QR code the follow login page shows, and the login's progress it polls. */
type WxFollowQrCode = Awaited<ReturnType<WxFollowLogin['start']>>;
type WxFollowStatus = Awaited<ReturnType<WxFollowLogin['status']>>;

/** The follow-to-log-in QR code (扫码关注公众号登录): what the follow login page calls. */
@Controller('auth/wechat/follow')
export class FollowLoginController {
  constructor(
    private readonly follow: WxFollowLogin,
    private readonly sessions: SessionService,
  ) {}

  @Post()
  start(@Res({ passthrough: true }) res: Response): Promise<WxFollowQrCode> {
    return this.follow.start(res);
  }

  @Get('status')
  async status(@Req() req: Request): Promise<{ status: WxFollowStatus }> {
    return { status: await this.follow.status(req) };
  }

  @Get('done')
  @WxFollowLoginRoute()
  @UseGuards(WxAuthGuard)
  async done(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.start(res, req.user as DemoLogin);
    res.redirect((req.authInfo as WxAuthInfo).state.returnTo ?? '/profile');
  }
}
