import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { HandoffController } from './handoff.controller';
import { TokensService } from './tokens.service';
import { WeChatUsers } from './wechat-users';

@Module({
  // WxOAuthModule is registered in AppModule: nothing to import for the guard or the validator.
  imports: [UsersModule],
  providers: [WeChatUsers, TokensService],
  controllers: [AuthController, HandoffController],
})
export class AuthModule {}
