import type { WXOAuthOptions } from '../client/wx-oauth-client.options.js';
import type { WxScope } from '../client/wx-oauth.types.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxAppCredentials, WxTenantResolver, WxWeComOptions } from './wx-tenant.interface.js';

/**
 * Which WeChat id becomes `profile.id`: openid (per app) or unionid (per Open Platform account).
 *
 * @publicApi
 */
export type WxIdField = 'openid' | 'unionid';

/**
 * Many tenants' apps in one deployment (`tenants`).
 *
 * @publicApi
 */
export interface WxTenantsOptions {
  /** The app's resolver: a provider, given through `forRootAsync`'s `inject`. */
  resolver: WxTenantResolver;
  /** How long a tenant's registration (and an appid's tenant) is kept before it is loaded again, in milliseconds. @default 60000 */
  cacheTtl?: number;
  /** How many tenants' registrations are kept at once; the longest kept go first. @default 10000 */
  max?: number;
  /**
   * Log the resolver's errors whole, message and stack, when it throws. Off by default: a
   * database error can carry its connection string; the log then names the error's class and
   * the host, tenant or appid asked about. @default false
   */
  logErrors?: boolean;
}

/**
 * The browser logins' state (`state`).
 *
 * @publicApi
 */
export interface WxStateOptions {
  /** HMAC key of the state cookie; all instances of an app must share it. @default derived from the (first) app's secret */
  secret?: string;
  /** How long a login may take, in milliseconds. @default 600000 (10 minutes) */
  ttl?: number;
}

/**
 * The native apps' login states (`WxAppStates`): one-time nonces the server
 * issues and keeps (as digests) in the store.
 *
 * @publicApi
 */
export interface WxAppStateOptions {
  /** How long an issued state can be spent, in milliseconds. @default 300000 (5 minutes) */
  ttl?: number;
  /**
   * How many unspent states one client (one IP address, as the framework reads it: behind a proxy,
   * set Express's `trust proxy` / Fastify's `trustProxy`) may hold; more answer 429. @default 20
   */
  maxPerClient?: number;
}

/**
 * An official account's message push settings, from its console.
 *
 * @publicApi
 */
export interface WxMessagePushSettings {
  /** The Token (令牌): 3–32 letters and digits. */
  token: string;
  /** The EncodingAESKey (消息加解密密钥), 43 characters: set it for safe mode. */
  encodingAesKey?: string;
}

/**
 * The third-party platform (开放平台第三方平台) the module serves merchants through:
 * its registration in the Open Platform console.
 *
 * @publicApi
 */
export interface WxComponentOptions {
  /** The platform's AppID (`component_appid`). */
  appid: string;
  /** Its AppSecret (`component_appsecret`). */
  secret: string;
  /** The message Token (消息校验Token) of its authorisation events: 3–32 letters and digits. Not its access token. */
  token: string;
  /** The EncodingAESKey (消息加解密Key), 43 characters: the platform's pushes are always encrypted. */
  encodingAesKey: string;
}

/**
 * Options of `WxOAuthModule.forRoot` / `forRootAsync`: one app (`appid` and
 * `secret`, used for every flow), or an official account and a website app,
 * either or both (`officialAccount`, `website`), each used for its own flow.
 *
 * @publicApi
 */
export interface WxOAuthModuleOptions extends Omit<
  WXOAuthOptions,
  'appid' | 'secret' | 'component'
> {
  /** One app for every flow: its AppID. Or use `officialAccount` / `website`. */
  appid?: string;
  /** One app for every flow: its AppSecret. */
  secret?: string;
  /** The official account (公众号/服务号): logins inside WeChat, `snsapi_base` / `snsapi_userinfo`. */
  officialAccount?: WxAppCredentials;
  /** The Open Platform website app (网站应用): the desktop QR login, `snsapi_login`. */
  website?: WxAppCredentials;
  /**
   * The mini-program (小程序): `wx.login()` codes posted to a `@WxMiniProgramLoginRoute()` route.
   * Bind it to the same Open Platform account as the other apps for one unionid per person.
   */
  miniProgram?: WxAppCredentials;
  /**
   * The Open Platform mobile app (移动应用): native apps' OpenSDK codes posted to a
   * `@WxAppLoginRoute()` route, and the codes of a multi-end app's `wx.miniapp.login()`.
   */
  mobileApp?: WxAppCredentials;
  /** The multi-end app (多端应用): codes of its `wx.weixinAppLogin()` / `wx.getIdentityCode()`. */
  multiEndApp?: WxAppCredentials;
  /**
   * A WeCom (企业微信) app: its members log in on a `@WxWeComLoginRoute()` route, inside the
   * WeCom client and on the web. Alone, or beside the WeChat apps.
   */
  wecom?: WxWeComOptions;
  /** WeCom's API. @default 'https://qyapi.weixin.qq.com' */
  wecomApiBaseUrl?: string;
  /** WeCom's web login page. @default 'https://login.work.weixin.qq.com' */
  wecomLoginBaseUrl?: string;
  /**
   * Many tenants' apps in one deployment, instead of `appid` / `officialAccount` / `website` /
   * `miniProgram` / `mobileApp` / `multiEndApp` / `wecom`: the app's resolver finds each request's
   * tenant and its apps. Needs `state.secret`.
   */
  tenants?: WxTenantsOptions;
  /**
   * The absolute callback URL of WeChat's browser logins; its host must be the app's authorised
   * callback domain. With tenants, the path every tenant's callback has. Required but for native
   * apps or WeCom alone (WeCom's logins come back to `wecom.callbackURL`).
   */
  callbackURL?: string;
  /** The scope of a route without `@WxAuthScope` (with two apps: inside WeChat). @default 'snsapi_base' */
  scope?: WxScope;
  /** Which WeChat id becomes `profile.id`. @default 'openid' */
  idField?: WxIdField;
  /** The browser logins' state: the signed cookie that binds a login to the browser that started it. */
  state?: WxStateOptions;
  /** The native apps' state: the one-time nonces `WxAppStates` issues. */
  appState?: WxAppStateOptions;
  /**
   * The app's front ends on other origins (an SPA: `https://app.example.com`, `http://localhost:5173`),
   * exact origins: a login's `returnTo` and the redirects may be absolute URLs on them, and the login
   * is handed to them with a one-time code (`WxHandoff`); a failed one goes back with `?wx_error=<kind>`.
   * @default none: paths on this site only
   */
  frontendOrigins?: string[];
  /**
   * Where `WxAuthGuard` sends the browser after a login, unless the login has its own `returnTo`; a
   * path, or a URL on a front-end origin. Then the callback route's handler does not run.
   * @default none: the handler answers
   */
  successRedirect?: string;
  /**
   * Where `WxAuthGuard` sends the browser when a login fails, with `?wx_error=<kind>`; a path, or a
   * URL on a front-end origin; a login whose `returnTo` is on a front-end origin goes back there
   * instead. @default none: the failure's JSON (4xx, 502, 503, 504)
   */
  failureRedirect?: string;
  /**
   * The official account's message push (服务器配置 in its console): its Token and, in safe mode
   * (安全模式, recommended), its EncodingAESKey. Needed by `WxPushReceiver` and the follow login.
   */
  messagePush?: WxMessagePushSettings;
  /**
   * The third-party platform: its authorisation events (`WxComponentReceiver`), merchants'
   * onboarding (`WxComponent`), and the tenants whose apps are served through it
   * (`{ appid, component: true }`), whose users log in on its behalf.
   */
  component?: WxComponentOptions;
  /** How long a follow login's QR code lives, in milliseconds. @default 300000 (5 minutes) */
  followLoginTtl?: number;
  /**
   * How long the server keeps a mini-program user's `session_key` after their login, in
   * milliseconds (`WxMiniProgramSessions`); WeChat replaces it at the next `wx.login()`.
   * @default 86400000 (a day)
   */
  miniProgramSessionTtl?: number;
  /** Where WeChat serves QR code images (`/cgi-bin/showqrcode`) and the platform's authorisation page. @default 'https://mp.weixin.qq.com' */
  mpBaseUrl?: string;
  /**
   * Where tokens and single-use login records live; share one (`WxRedisStore`) across instances.
   * Also the provider `WX_OAUTH_STORE`, which tests can override. @default a `WxMemoryStore`
   */
  store?: WxOAuthStore;
  /** Refresh an access token this many milliseconds before it expires. @default 300000 (5 minutes) */
  tokenRefreshMargin?: number;
}

/**
 * A class `forRootAsync({ useClass })` or `useExisting` can name.
 *
 * @publicApi
 */
export interface WxOAuthOptionsFactory {
  createWxOAuthOptions(): WxOAuthModuleOptions | Promise<WxOAuthModuleOptions>;
}
