import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { WxOAuthModule } from 'nest-wx-oauth';
import { AuthController } from './auth/auth.controller';

@Module({
  imports: [
    ConfigModule.forRoot(),
    // `npx nest-wx-oauth-sandbox` prints these variables for a local WeChat.
    WxOAuthModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        appid: config.getOrThrow<string>('WX_APPID'),
        secret: config.getOrThrow<string>('WX_SECRET'),
        callbackURL: config.getOrThrow<string>('WX_CALLBACK_URL'),
        scope: 'snsapi_userinfo',
        apiBaseUrl: config.get<string>('WX_API_BASE_URL'),
        openBaseUrl: config.get<string>('WX_OPEN_BASE_URL'),
      }),
    }),
  ],
  controllers: [AuthController],
})
export class AppModule {}
