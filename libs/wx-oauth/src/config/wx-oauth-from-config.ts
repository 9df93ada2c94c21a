import { ConfigModule, ConfigService } from '@nestjs/config';
import type {
  WxComponentOptions,
  WxOAuthModuleOptions,
} from '../options/wx-oauth-module-options.interface.js';
import type { WxWeComOptions } from '../options/wx-tenant.interface.js';
import type { WxOAuthModuleAsyncOptions } from '../wx-oauth.module-definition.js';
import { resolveWxOAuthOptions } from '../options/wx-oauth.options.js';

/**
 * The configuration keys `wxOAuthFromConfig` reads, and the option each one
 * sets. One app: the seed's `WX_APPID` and `WX_SECRET`. Two apps:
 * `WX_MP_APPID`/`WX_MP_SECRET` (the official account) and
 * `WX_WEB_APPID`/`WX_WEB_SECRET` (the website app), either pair or both;
 * beside either, `WX_MINI_APPID`/`WX_MINI_SECRET` (the mini-program),
 * `WX_MOBILE_APPID`/`WX_MOBILE_SECRET` (the mobile app) and
 * `WX_MULTIEND_APPID`/`WX_MULTIEND_SECRET` (the multi-end app). WeCom:
 * `WX_WECOM_CORPID`, `WX_WECOM_AGENTID`, `WX_WECOM_SECRET` and
 * `WX_WECOM_CALLBACK_URL`, alone or beside the WeChat apps.
 * `WX_FRONTEND_ORIGINS` lists origins separated by commas. The third-party
 * platform: `WX_COMPONENT_APPID`, `WX_COMPONENT_SECRET`, `WX_COMPONENT_TOKEN`
 * and `WX_COMPONENT_AES_KEY`, all four or none.
 */
const KEYS = {
  WX_APPID: 'appid',
  WX_SECRET: 'secret',
  WX_MP_APPID: 'officialAccount.appid',
  WX_MP_SECRET: 'officialAccount.secret',
  WX_WEB_APPID: 'website.appid',
  WX_WEB_SECRET: 'website.secret',
  WX_MINI_APPID: 'miniProgram.appid',
  WX_MINI_SECRET: 'miniProgram.secret',
  WX_MOBILE_APPID: 'mobileApp.appid',
  WX_MOBILE_SECRET: 'mobileApp.secret',
  WX_MULTIEND_APPID: 'multiEndApp.appid',
  WX_MULTIEND_SECRET: 'multiEndApp.secret',
  WX_WECOM_CORPID: 'wecom.corpid',
  WX_WECOM_AGENTID: 'wecom.agentid',
  WX_WECOM_SECRET: 'wecom.secret',
  WX_WECOM_CALLBACK_URL: 'wecom.callbackURL',
  WX_WECOM_API_BASE_URL: 'wecomApiBaseUrl',
  WX_WECOM_LOGIN_BASE_URL: 'wecomLoginBaseUrl',
  WX_CALLBACK_URL: 'callbackURL',
  WX_SCOPE: 'scope',
  WX_API_BASE_URL: 'apiBaseUrl',
  WX_OPEN_BASE_URL: 'openBaseUrl',
  WX_FRONTEND_ORIGINS: 'frontendOrigins',
  WX_SUCCESS_REDIRECT: 'successRedirect',
  WX_FAILURE_REDIRECT: 'failureRedirect',
  WX_MP_TOKEN: 'messagePush.token',
  WX_MP_AES_KEY: 'messagePush.encodingAesKey',
  WX_MP_BASE_URL: 'mpBaseUrl',
  WX_COMPONENT_APPID: 'component.appid',
  WX_COMPONENT_SECRET: 'component.secret',
  WX_COMPONENT_TOKEN: 'component.token',
  WX_COMPONENT_AES_KEY: 'component.encodingAesKey',
} as const;

type WxConfigKey = keyof typeof KEYS;

/** @publicApi */
export const WX_OAUTH_CONFIG_KEYS = Object.keys(KEYS) as WxConfigKey[];

const KEY_OF: Record<string, string> = {
  ...Object.fromEntries(Object.entries(KEYS).map(([key, path]) => [path, key])),
  officialAccount: 'WX_MP_*',
  website: 'WX_WEB_*',
  miniProgram: 'WX_MINI_*',
  mobileApp: 'WX_MOBILE_*',
  multiEndApp: 'WX_MULTIEND_*',
  wecom: 'WX_WECOM_*',
  messagePush: 'WX_MP_TOKEN',
  component: 'WX_COMPONENT_*',
};

/**
 * The options that are not strings, such as `store` or `tenants`: a value, or
 * a factory of what `inject` names (an app's services, from `imports`).
 *
 * @publicApi
 */
export type WxOAuthConfigExtra = Partial<WxOAuthModuleOptions> | WxOAuthConfigFactory;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Nest's own useFactory takes what inject names
type WxOAuthConfigFactory = (...injected: any[]) => MaybePromise<Partial<WxOAuthModuleOptions>>;
type MaybePromise<T> = T | Promise<T>;

/**
 * `WxOAuthModule.forRootAsync(wxOAuthFromConfig())`: the module configured from
 * `@nestjs/config`'s `ConfigService` (the environment, `.env` files, `load`ed
 * configuration) under the keys of `WX_OAUTH_CONFIG_KEYS`. `extra` adds the
 * options that are not strings; as a factory, it is given what
 * `asyncOptions.inject` names, after `ConfigService`'s own place. The app fails
 * to start with every missing or invalid key named, never its value.
 *
 * @publicApi
 */
export function wxOAuthFromConfig(
  extra: WxOAuthConfigExtra = {},
  asyncOptions: Pick<WxOAuthModuleAsyncOptions, 'isGlobal' | 'imports' | 'inject'> = {},
): WxOAuthModuleAsyncOptions {
  const { imports = [], inject = [], ...rest } = asyncOptions;
  return {
    ...rest,
    imports: [ConfigModule, ...imports],
    inject: [ConfigService, ...inject],
    useFactory: async (
      config: ConfigService,
      ...injected: unknown[]
    ): Promise<WxOAuthModuleOptions> => {
      const more = typeof extra === 'function' ? await extra(...injected) : extra;
      const options = { ...readWxConfig(config), ...more } as WxOAuthModuleOptions;
      // Checked here under the keys' names; the module checks the same options again, by theirs.
      resolveWxOAuthOptions(options, 'WxOAuthModule configuration', (path) => KEY_OF[path] ?? path);
      return options;
    },
  };
}

/** The WeCom app, when any of its keys is set: the validation names those missing. */
function weComApp(config: ConfigService): Partial<WxWeComOptions> | undefined {
  const value = (key: WxConfigKey) => config.get<string>(key) || undefined;
  const app = {
    corpid: value('WX_WECOM_CORPID'),
    agentid: value('WX_WECOM_AGENTID'),
    secret: value('WX_WECOM_SECRET'),
    callbackURL: value('WX_WECOM_CALLBACK_URL'),
  };
  return Object.values(app).some(Boolean) ? app : undefined;
}

/** The third-party platform, when any of its four keys is set: the validation names each one missing. */
function componentPlatform(config: ConfigService): Partial<WxComponentOptions> | undefined {
  const value = (key: WxConfigKey) => config.get<string>(key) || undefined;
  const platform = {
    appid: value('WX_COMPONENT_APPID'),
    secret: value('WX_COMPONENT_SECRET'),
    token: value('WX_COMPONENT_TOKEN'),
    encodingAesKey: value('WX_COMPONENT_AES_KEY'),
  };
  return Object.values(platform).some(Boolean) ? platform : undefined;
}

/** The options the keys set; an empty value (as docker-compose passes `${X:-}`) counts as unset. */
function readWxConfig(config: ConfigService): Partial<WxOAuthModuleOptions> {
  const value = (key: WxConfigKey) => config.get<string>(key) || undefined;
  const app = (appid?: string, secret?: string) =>
    appid || secret ? { appid, secret } : undefined;
  const options = {
    appid: value('WX_APPID'),
    secret: value('WX_SECRET'),
    officialAccount: app(value('WX_MP_APPID'), value('WX_MP_SECRET')),
    website: app(value('WX_WEB_APPID'), value('WX_WEB_SECRET')),
    miniProgram: app(value('WX_MINI_APPID'), value('WX_MINI_SECRET')),
    mobileApp: app(value('WX_MOBILE_APPID'), value('WX_MOBILE_SECRET')),
    multiEndApp: app(value('WX_MULTIEND_APPID'), value('WX_MULTIEND_SECRET')),
    wecom: weComApp(config),
    callbackURL: value('WX_CALLBACK_URL'),
    scope: value('WX_SCOPE'),
    apiBaseUrl: value('WX_API_BASE_URL'),
    openBaseUrl: value('WX_OPEN_BASE_URL'),
    frontendOrigins: value('WX_FRONTEND_ORIGINS')
      ?.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    successRedirect: value('WX_SUCCESS_REDIRECT'),
    failureRedirect: value('WX_FAILURE_REDIRECT'),
    messagePush: value('WX_MP_TOKEN')
      ? { token: value('WX_MP_TOKEN'), encodingAesKey: value('WX_MP_AES_KEY') }
      : undefined,
    mpBaseUrl: value('WX_MP_BASE_URL'),
    wecomApiBaseUrl: value('WX_WECOM_API_BASE_URL'),
    wecomLoginBaseUrl: value('WX_WECOM_LOGIN_BASE_URL'),
    component: componentPlatform(config),
  };
  // Unset keys leave their options to the defaults; the validation reports what is missing.
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<WxOAuthModuleOptions>;
}
