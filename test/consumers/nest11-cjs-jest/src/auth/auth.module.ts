import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { HandoffController } from './handoff.controller';
import { WeChatUsers } from './wechat-users';

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
