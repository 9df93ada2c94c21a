// nest-wx-oauth as a user writes it: WxOAuthModule.forRoot and a controller with
// WxAuthGuard routes, on Nest's default Express adapter (or Fastify with
// NEST_ADAPTER=fastify), state verification on.
import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { WxMemoryStore, WxAuthGuard, WxOAuthModule, type WxWeChatProfile } from 'nest-wx-oauth';
import { createNestApp } from './nest-app.js';
import { apiBaseUrl, appid, callbackURL, openBaseUrl, port, ready, secret } from './env.mjs';

@Controller('auth/wechat')
class AuthController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: { user?: unknown }): { openid: string; nickname?: string } {
    const user = req.user as WxWeChatProfile;
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
      // Sized for this load: each login's single-use record lives as long as its state (10 min),
      // and the default store (100 000 records) answers 503 past a few hundred logins a second.
      store: new WxMemoryStore({ maxEntries: 100_000 }),
    }),
  ],
  controllers: [AuthController],
})
class AppModule {}

const app = await createNestApp(AppModule);
await app.listen(port, '127.0.0.1');
ready(() => app.close());
