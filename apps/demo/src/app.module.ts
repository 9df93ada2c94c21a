import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { WxOAuthModule, type WxOAuthModuleOptions } from 'nest-wx-oauth';
import { RedisTokenStore } from 'nest-wx-oauth/redis';
import { AuthController } from './auth/auth.controller.js';
import { SessionGuard } from './auth/session.guard.js';
import { SessionService } from './auth/session.service.js';
import { DemoSandbox, demoSandboxProvider } from './config/demo-sandbox.js';
import { type DemoEnv, validateDemoEnv } from './config/demo.config.js';
import { DEMO_OPTIONS, type DemoOptions } from './demo.constants.js';
import { ErrorPageFilter } from './pages/error-page.filter.js';
import { PagesController } from './pages/pages.controller.js';
import { WechatApiController } from './pages/wechat-api.controller.js';

type DemoConfig = ConfigService<DemoEnv, true>;

/** The sandbox's own appid, secret and address when the demo runs one; otherwise `WX_*` from the configuration. */
function wxOAuthOptions(config: DemoConfig, { sandbox }: DemoSandbox): WxOAuthModuleOptions {
  const redisUrl = config.get('REDIS_URL', { infer: true });
  return {
    ...(sandbox
      ? { appid: sandbox.appid, secret: sandbox.secret, apiBaseUrl: sandbox.url, openBaseUrl: sandbox.url }
      : {
          appid: config.get('WX_APPID', { infer: true })!,
          secret: config.get('WX_SECRET', { infer: true })!,
          apiBaseUrl: config.get('WX_API_BASE_URL', { infer: true }),
          openBaseUrl: config.get('WX_OPEN_BASE_URL', { infer: true }),
        }),
    callbackURL: config.get('WX_CALLBACK_URL', { infer: true }),
    scope: config.get('WX_SCOPE', { infer: true }),
    ...(redisUrl ? { tokenStore: new RedisTokenStore({ url: redisUrl }) } : {}),
  };
}

/** One instance, imported by AppModule and by WxOAuthModule's factory. */
@Module({ providers: [demoSandboxProvider], exports: [DemoSandbox] })
class DemoSandboxModule {}

@Module({})
export class AppModule {
  /** Configured from the environment, or from `env` (tests), through `@nestjs/config`. */
  static forRoot(env?: Record<string, string>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          // What validateDemoEnv answers is the whole configuration: defaults filled, the sandbox resolved.
          skipProcessEnv: true,
          ...(env ? { validatePredefined: false, validate: () => validateDemoEnv(env) } : { validate: validateDemoEnv }),
        }),
        DemoSandboxModule,
        WxOAuthModule.forRootAsync({
          imports: [DemoSandboxModule],
          inject: [ConfigService, DemoSandbox],
          useFactory: wxOAuthOptions,
        }),
        JwtModule.registerAsync({
          inject: [ConfigService],
          useFactory: (config: DemoConfig) => ({ secret: config.get('SESSION_SECRET', { infer: true }) }),
        }),
      ],
      controllers: [AuthController, PagesController, WechatApiController],
      providers: [
        SessionService,
        SessionGuard,
        {
          provide: DEMO_OPTIONS,
          inject: [ConfigService],
          useFactory: (config: DemoConfig): DemoOptions => ({
            secureCookies: config.get('WX_CALLBACK_URL', { infer: true }).startsWith('https:'),
            banner: config.get('WX_TARGET', { infer: true }) === 'wechat' ? undefined : 'Sandbox: no real WeChat involved',
          }),
        },
        { provide: APP_FILTER, useClass: ErrorPageFilter },
      ],
    };
  }
}
