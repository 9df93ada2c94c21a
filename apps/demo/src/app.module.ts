import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { WxOAuthModule, type WxOAuthModuleOptions } from 'nest-wx-oauth';
import { AuthController } from './auth/auth.controller.js';
import { SessionGuard } from './auth/session.guard.js';
import { SessionService } from './auth/session.service.js';
import { DEMO_OPTIONS, type DemoOptions } from './demo.constants.js';
import { ErrorPageFilter } from './pages/error-page.filter.js';
import { PagesController } from './pages/pages.controller.js';
import { WechatApiController } from './pages/wechat-api.controller.js';

export interface AppModuleOptions extends DemoOptions {
  wx: WxOAuthModuleOptions;
  sessionSecret: string;
}

@Module({})
export class AppModule {
  static forRoot({ wx, sessionSecret, ...demo }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [WxOAuthModule.forRoot(wx), JwtModule.register({ secret: sessionSecret })],
      controllers: [AuthController, PagesController, WechatApiController],
      providers: [
        SessionService,
        SessionGuard,
        { provide: DEMO_OPTIONS, useValue: demo },
        { provide: APP_FILTER, useClass: ErrorPageFilter },
      ],
    };
  }
}
