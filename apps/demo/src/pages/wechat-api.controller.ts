import { Controller, Get, NotFoundException, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { WxTokenService, type WxUserInfo } from 'nest-wx-oauth';
import type { DemoLogin } from '../auth/demo-user.js';
import { SessionGuard } from '../auth/session.guard.js';

/** Calls WeChat for the logged-in user with the saved token, refreshed when needed. */
@Controller('api/wechat')
@UseGuards(SessionGuard)
export class WechatApiController {
  constructor(private readonly tokens: WxTokenService) {}

  /** WeChat's current profile of the user; none for a WeCom login, which leaves no WeChat token. */
  @Get('userinfo')
  userinfo(@Req() req: Request): Promise<WxUserInfo> {
    const { openid, appid, wecom } = req.user as DemoLogin;
    if (wecom)
      throw new NotFoundException('This session logged in with WeCom: WeChat has no profile of it');
    return this.tokens.getUserinfoFor(openid, { appid });
  }
}
