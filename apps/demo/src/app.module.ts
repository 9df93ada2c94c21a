import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { WxOAuthModule, type WxOAuthModuleOptions } from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import type { Repository } from 'typeorm';
import { AuthController } from './auth/auth.controller.js';
import { BearerGuard } from './auth/bearer.guard.js';
import { AppLoginController } from './auth/app-login.controller.js';
import { MeController } from './auth/me.controller.js';
import { MiniProgramController } from './auth/mini-program.controller.js';
import { FollowLoginController } from './auth/follow-login.controller.js';
import { WechatEventsController } from './auth/wechat-events.controller.js';
import { WeComLoginController } from './auth/wecom-login.controller.js';
import { SessionGuard } from './auth/session.guard.js';
import { DemoUsers } from './auth/demo-users.service.js';
import { WeChatUsers } from './auth/wechat-users.js';
import { SessionService } from './auth/session.service.js';
import { DemoSandbox, demoSandboxProvider } from './config/demo-sandbox.js';
import { demoSaasOptions, sandboxSiteApps } from './config/demo-saas.js';
import { demoStore } from './config/demo-store.js';
import { type DemoEnv, validateDemoEnv } from './config/demo.config.js';
import { DemoDatabaseModule } from './database/demo-database.module.js';
import { DemoMerchantEntity } from './database/demo-merchant.entity.js';
import {
  DEMO_OPTIONS,
  type DemoOptions,
  WX_LOGIN_JS_PATH,
  WX_SCRIPT_ORIGIN,
} from './demo.constants.js';
import { ErrorPageFilter } from './pages/error-page.filter.js';
import { LoginController } from './pages/login.controller.js';
import { AssetsController } from './pages/assets.controller.js';
import { PagesController } from './pages/pages.controller.js';
import { ProfileController } from './pages/profile.controller.js';
import { WechatApiController } from './pages/wechat-api.controller.js';
import { AuthorizerNames } from './merchants/authorizer-names.js';
import { ComponentEventsController } from './merchants/component-events.controller.js';
import { DemoMerchants } from './merchants/demo-merchants.service.js';
import {
  AUTHORIZATION_RETURN_PATH,
  MerchantAdminController,
} from './merchants/merchant-admin.controller.js';
import { MerchantController } from './merchants/merchant.controller.js';
import { SaasGuard } from './merchants/saas.guard.js';

type DemoConfig = ConfigService<DemoEnv, true>;

/**
 * What the `WX_*` keys cannot say: the in-process sandbox's apps, WeCom corp and
 * address, the QR images of a sandbox on its own, Redis, and the SaaS's tenants
 * (its merchants, in the demo's database). The keys themselves (`WX_MP_*`,
 * `WX_WEB_*`, `WX_MINI_*`, `WX_MOBILE_*`, `WX_MULTIEND_*`, `WX_WECOM_*`, `WX_COMPONENT_*`,
 * `WX_CALLBACK_URL`, `WX_SCOPE`, `WX_MP_TOKEN`...) are read and checked by
 * `wxOAuthFromConfig`.
 */
function wxOAuthExtra(
  config: DemoConfig,
  { sandbox }: DemoSandbox,
  merchants: Repository<DemoMerchantEntity>,
): Partial<WxOAuthModuleOptions> {
  const registration = config.get('DEMO_SAAS', { infer: true })
    ? demoSaasOptions(config, sandbox, merchants)
    : sandbox
      ? sandboxSiteApps(sandbox, config)
      : {};
  return {
    ...registration,
    ...(sandbox
      ? {
          apiBaseUrl: sandbox.url,
          openBaseUrl: sandbox.url,
          mpBaseUrl: sandbox.url,
          // WeCom's in-client authorize page is openBaseUrl's, as open.weixin.qq.com.
          wecomApiBaseUrl: sandbox.url,
          wecomLoginBaseUrl: sandbox.url,
        }
      : {}),
    // A sandbox on its own serves the QR images too, where the browser reaches it.
    ...(config.get('WX_TARGET', { infer: true }) === 'sandbox'
      ? { mpBaseUrl: config.get('WX_OPEN_BASE_URL', { infer: true }) }
      : {}),
    ...demoStore(config),
  };
}

/** The mini-program stand-in page's sandbox: the browser asks it for `wx.login()` codes. None against real WeChat. */
function miniProgramTry(config: DemoConfig, sandbox?: WxSandbox): DemoOptions['miniProgramTry'] {
  if (sandbox) {
    const app = sandbox.apps.find((a) => a.kind === 'miniProgram');
    return app && { appid: app.appid, sandboxUrl: sandbox.url };
  }
  const appid = config.get('WX_MINI_APPID', { infer: true });
  return config.get('WX_TARGET', { infer: true }) === 'sandbox' && appid
    ? { appid, sandboxUrl: config.get('WX_OPEN_BASE_URL', { infer: true })! }
    : undefined;
}

/**
 * The native app stand-in page's sandbox and apps: the browser asks it for the OpenSDK's codes
 * (and the multi-end app's). None against real WeChat.
 */
function appTry(config: DemoConfig, sandbox?: WxSandbox): DemoOptions['appTry'] {
  const settings = (sandboxUrl: string, appid?: string, multiEndAppid?: string) =>
    appid ? { appid, sandboxUrl, ...(multiEndAppid ? { multiEndAppid } : {}) } : undefined;
  if (sandbox) {
    const app = (kind: string) => sandbox.apps.find((a) => a.kind === kind)?.appid;
    return settings(sandbox.url, app('mobileApp'), app('multiEndApp'));
  }
  return config.get('WX_TARGET', { infer: true }) === 'sandbox'
    ? settings(
        config.get('WX_OPEN_BASE_URL', { infer: true })!,
        config.get('WX_MOBILE_APPID', { infer: true }),
        config.get('WX_MULTIEND_APPID', { infer: true }),
      )
    : undefined;
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
          ...(env
            ? { validatePredefined: false, validate: () => validateDemoEnv(env) }
            : { validate: validateDemoEnv }),
        }),
        DemoSandboxModule,
        WxOAuthModule.forRootAsync(
          wxOAuthFromConfig(wxOAuthExtra, {
            imports: [DemoSandboxModule, TypeOrmModule.forFeature([DemoMerchantEntity])],
            inject: [ConfigService, DemoSandbox, getRepositoryToken(DemoMerchantEntity)],
          }),
        ),
        // The users and their WeChat identities: PostgreSQL (DATABASE_URL) or the embedded engine's file.
        DemoDatabaseModule,
        JwtModule.registerAsync({
          inject: [ConfigService],
          useFactory: (config: DemoConfig) => ({
            secret: config.get('SESSION_SECRET', { infer: true }),
          }),
        }),
      ],
      controllers: [
        AuthController,
        FollowLoginController,
        MiniProgramController,
        AppLoginController,
        WeComLoginController,
        MeController,
        WechatEventsController,
        ComponentEventsController,
        MerchantAdminController,
        MerchantController,
        LoginController,
        PagesController,
        ProfileController,
        WechatApiController,
        AssetsController,
      ],
      providers: [
        SessionService,
        SessionGuard,
        BearerGuard,
        DemoUsers,
        WeChatUsers,
        DemoMerchants,
        AuthorizerNames,
        SaasGuard,
        {
          provide: DEMO_OPTIONS,
          inject: [ConfigService, DemoSandbox],
          useFactory: (config: DemoConfig, { sandbox }: DemoSandbox): DemoOptions => ({
            secureCookies: config.get('WX_CALLBACK_URL', { infer: true }).startsWith('https:'),
            banner:
              config.get('WX_TARGET', { infer: true }) === 'wechat'
                ? undefined
                : 'Sandbox: no real WeChat involved',
            // WeChat serves its script from res.wx.qq.com; a sandbox serves its own at the same path.
            wxLoginJsUrl: sandbox
              ? sandbox.wxLoginJsUrl
              : config.get('WX_TARGET', { infer: true }) === 'sandbox'
                ? `${config.get('WX_OPEN_BASE_URL', { infer: true })}${WX_LOGIN_JS_PATH}`
                : `${WX_SCRIPT_ORIGIN}${WX_LOGIN_JS_PATH}`,
            miniProgramTry: miniProgramTry(config, sandbox),
            appTry: appTry(config, sandbox),
            logins: {
              wechat:
                sandbox !== undefined ||
                Boolean(
                  config.get('WX_MP_APPID', { infer: true }) ||
                  config.get('WX_WEB_APPID', { infer: true }),
                ),
              wecom: config.get('WX_WECOM_CALLBACK_URL', { infer: true }) !== undefined,
            },
            saas: config.get('DEMO_SAAS', { infer: true })
              ? {
                  authorizationReturnUrl: new URL(
                    AUTHORIZATION_RETURN_PATH,
                    config.get('WX_CALLBACK_URL', { infer: true }),
                  ).href,
                }
              : undefined,
          }),
        },
        { provide: APP_FILTER, useClass: ErrorPageFilter },
      ],
    };
  }
}
