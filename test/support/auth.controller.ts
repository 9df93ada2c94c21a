import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { WxAuthGuard, WxMiniProgramLoginRoute } from 'nest-wx-oauth';

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

/** The mini-program's login route, answering the user the guard put on `req.user`. */
@Controller('auth/wechat/miniprogram')
export class MiniProgramLoginController {
  @Post()
  @HttpCode(200)
  @WxMiniProgramLoginRoute()
  @UseGuards(WxAuthGuard)
  logIn(@Req() req: { user?: unknown }): unknown {
    return req.user;
  }
}
