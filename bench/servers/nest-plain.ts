// Reference: the baseline's handlers in a Nest controller, no library: the ceiling
// for any Nest module on the adapter (Express, or Fastify with NEST_ADAPTER=fastify).
import 'reflect-metadata';
import { Controller, Get, Module, Query, Redirect } from '@nestjs/common';
import { createNestApp } from './nest-app.js';
import { appid, callbackURL, openBaseUrl, port, ready } from './env.mjs';
import { userByCode } from './upstream.mjs';

@Controller('auth/wechat')
class AuthController {
  @Get()
  @Redirect()
  login(): { url: string } {
    return {
      url:
        `${openBaseUrl}/connect/oauth2/authorize?appid=${appid}&redirect_uri=${encodeURIComponent(callbackURL)}` +
        '&response_type=code&scope=snsapi_userinfo&state=STATE#wechat_redirect',
    };
  }

  @Get('callback')
  callback(@Query('code') code: string): Promise<{ openid: string; nickname: string }> {
    return userByCode(code);
  }
}

@Module({ controllers: [AuthController] })
class AppModule {}

const app = await createNestApp(AppModule);
await app.listen(port, '127.0.0.1');
ready(() => app.close());
