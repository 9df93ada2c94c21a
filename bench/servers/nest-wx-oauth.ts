// nest-wx-oauth as a user writes it: WxOAuthModule.forRoot and a controller with
// WxAuthGuard routes, on Nest's default Express adapter, state verification on.
import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import { WxAuthGuard, WxOAuthModule, type WxProfile } from 'nest-wx-oauth';
import { apiBaseUrl, appid, callbackURL, openBaseUrl, port, ready, secret } from './env.mjs';

@Controller('auth/wechat')
class AuthController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request): { openid: string; nickname?: string } {
    const user = req.user as WxProfile;
    return { openid: user.openid, nickname: user.nickname };
  }
}

@Module({
  imports: [
    WxOAuthModule.forRoot({
      appid: appid!,
      secret: secret!,
      callbackURL,
      scope: 'snsapi_userinfo',
      apiBaseUrl,
      openBaseUrl,
    }),
  ],
  controllers: [AuthController],
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(port, '127.0.0.1');
ready(() => app.close());
