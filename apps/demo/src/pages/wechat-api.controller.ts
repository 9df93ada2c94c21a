import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { WxTokenService, type WxUserInfo } from 'nest-wx-oauth';
import type { DemoLogin } from '../auth/demo-user.js';
import { SessionGuard } from '../auth/session.guard.js';

/** Calls WeChat for the logged-in user with the saved token, refreshed when needed. */
@Controller('api/wechat')
@UseGuards(SessionGuard)
export class WechatApiController {
  constructor(private readonly tokens: WxTokenService) {}

  /** WeChat's current profile of the user. */
  @Get('userinfo')
  userinfo(@Req() req: Request): Promise<WxUserInfo> {
    const { openid, appid } = req.user as DemoLogin;
    return this.tokens.getUserinfoFor(openid, { appid });
  }
}
