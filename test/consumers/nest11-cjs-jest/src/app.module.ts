import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { WxOAuthModule } from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { AuthModule } from './auth/auth.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // Registered once, here: it serves AuthModule's guard, services and validator.
    // WX_APPID, WX_SECRET, WX_CALLBACK_URL, WX_SCOPE, WX_API_BASE_URL, WX_OPEN_BASE_URL, and
    // WX_FRONTEND_ORIGINS, WX_SUCCESS_REDIRECT, WX_FAILURE_REDIRECT:
    // `npx nest-wx-oauth-sandbox` prints the first ones for a local WeChat.
    WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
    AuthModule,
  ],
})
export class AppModule {}
