import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { HandoffController } from './handoff.controller.js';
import { TokensService } from './tokens.service.js';
import { WeChatUsers } from './wechat-users.js';

@Module({
  // WxOAuthModule is registered in AppModule: nothing to import for the guard or the validator.
  imports: [UsersModule],
  providers: [WeChatUsers, TokensService],
  controllers: [AuthController, HandoffController],
})
export class AuthModule {}
