// Reference: a Nest controller making WeChat's two calls itself on a tuned axios
// instance (servers/wx-axios.ts), no library, no state: what a hand-written Nest
// login costs on the adapter (Express, or Fastify with NEST_ADAPTER=fastify).
import 'reflect-metadata';
import { Controller, Get, Module, Query, Redirect } from '@nestjs/common';
import { createNestApp } from './nest-app.js';
import { callbackURL, openBaseUrl, appid, port, ready } from './env.mjs';
import { exchangeCode, fetchUser, type WxUser } from './wx-axios.js';

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
  async callback(@Query('code') code: string): Promise<WxUser> {
    const token = await exchangeCode(code);
    return fetchUser(token.access_token, token.openid);
  }
}

@Module({ controllers: [AuthController] })
class AppModule {}

const app = await createNestApp(AppModule);
await app.listen(port, '127.0.0.1');
ready(() => app.close());
