import { Module } from '@nestjs/common';
import { WxOAuthModule } from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { HandoffController } from './handoff.controller.js';
import { TokensService } from './tokens.service.js';
import { WeChatUsers } from './wechat-users.js';

@Module({
  imports: [
    UsersModule,
    // WX_APPID, WX_SECRET, WX_CALLBACK_URL, WX_SCOPE, WX_API_BASE_URL, WX_OPEN_BASE_URL, and
    // WX_FRONTEND_ORIGINS, WX_SUCCESS_REDIRECT, WX_FAILURE_REDIRECT:
    // `npx nest-wx-oauth-sandbox` prints the first ones for a local WeChat.
    WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
  ],
  providers: [WeChatUsers, TokensService],
  controllers: [AuthController, HandoffController],
})
export class AuthModule {}
