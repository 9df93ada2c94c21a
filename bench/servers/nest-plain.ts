// Reference: the baseline's handlers in a Nest controller on the default Express
// adapter, no library: the ceiling for any Nest module on this adapter.
import 'reflect-metadata';
import { Controller, Get, Module, Query, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Response } from 'express';
import { appid, callbackURL, openBaseUrl, port, ready } from './env.mjs';
import { userByCode } from './upstream.mjs';

@Controller('auth/wechat')
class AuthController {
  @Get()
  login(@Res() res: Response): void {
    res.redirect(
      `${openBaseUrl}/connect/oauth2/authorize?appid=${appid}&redirect_uri=${encodeURIComponent(callbackURL)}` +
        '&response_type=code&scope=snsapi_userinfo&state=STATE#wechat_redirect',
    );
  }

  @Get('callback')
  callback(@Query('code') code: string): Promise<{ openid: string; nickname: string }> {
    return userByCode(code);
  }
}

@Module({ controllers: [AuthController] })
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(port, '127.0.0.1');
ready(() => app.close());
