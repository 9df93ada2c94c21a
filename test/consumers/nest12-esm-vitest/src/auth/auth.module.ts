import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { HandoffController } from './handoff.controller.js';
import { WeChatUsers } from './wechat-users.js';

@Module({
  // WxOAuthModule is registered in AppModule: nothing to import for the guard or the validator.
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        secret: config.getOrThrow<string>('JWT_SECRET'),
      }),
    }),
  ],
  providers: [WeChatUsers],
  controllers: [AuthController, HandoffController],
})
export class AuthModule {}
