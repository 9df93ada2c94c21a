import { Module } from '@nestjs/common';
import { WxOAuthModule } from 'nest-wx-oauth';
import { AuthController } from './auth/auth.controller.js';

@Module({
  imports: [
    // `npx nest-wx-oauth-sandbox` prints these values for a local WeChat.
    WxOAuthModule.forRoot({
      appid: process.env.WX_APPID ?? '',
      secret: process.env.WX_SECRET ?? '',
      callbackURL: process.env.WX_CALLBACK_URL ?? 'http://localhost:3000/auth/wechat/callback',
      scope: 'snsapi_userinfo',
      apiBaseUrl: process.env.WX_API_BASE_URL,
      openBaseUrl: process.env.WX_OPEN_BASE_URL,
    }),
  ],
  controllers: [AuthController],
})
export class AppModule {}
