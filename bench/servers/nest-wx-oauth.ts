// nest-wx-oauth as a user writes it: WxOAuthModule.forRoot and a controller with
// WxAuthGuard routes, on Nest's default Express adapter, state verification on.
import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import { WxAuthGuard, WxOAuthModule, type WxProfile } from 'nest-wx-oauth';

const env = process.env;
const port = Number(env.PORT);

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
      appid: env.WX_APPID!,
      secret: env.WX_SECRET!,
      callbackURL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      scope: 'snsapi_userinfo',
      apiBaseUrl: env.WX_API_BASE_URL,
      openBaseUrl: env.WX_OPEN_BASE_URL,
    }),
  ],
  controllers: [AuthController],
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(port, '127.0.0.1');
console.log(`listening ${port}`);
// Exit (rather than die) on SIGTERM, so that `node --cpu-prof` writes its profile.
process.once('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
