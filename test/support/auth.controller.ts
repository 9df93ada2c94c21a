import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { WxAuthGuard } from 'nest-wx-oauth';

/** The two routes of the package README: the login, and the callback answering `req.user`. */
@Controller('auth/wechat')
export class AuthController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: { user?: unknown }): unknown {
    return req.user;
  }
}
