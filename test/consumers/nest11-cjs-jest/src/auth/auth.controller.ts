import { Controller, Get, UseGuards } from '@nestjs/common';
import { WxAuthGuard, WxUser, type WxProfile } from 'nest-wx-oauth';

@Controller('auth/wechat')
export class AuthController {
  /** Redirects to WeChat's authorize page. */
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  /** WeChat sends the user back here; the guard puts the profile on `req.user`. */
  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@WxUser() user: WxProfile): WxProfile {
    return user;
  }
}
