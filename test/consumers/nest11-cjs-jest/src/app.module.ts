import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { WxOAuthModule } from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { AuthController } from './auth/auth.controller';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // WX_APPID, WX_SECRET, WX_CALLBACK_URL, WX_SCOPE, WX_API_BASE_URL, WX_OPEN_BASE_URL:
    // `npx nest-wx-oauth-sandbox` prints them for a local WeChat.
    WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
  ],
  controllers: [AuthController],
})
export class AppModule {}
