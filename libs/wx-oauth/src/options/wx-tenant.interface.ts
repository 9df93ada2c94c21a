import type { IncomingHttpHeaders } from 'node:http';

/**
 * One WeChat app's credentials.
 *
 * @publicApi
 */
export interface WxAppCredentials {
  appid: string;
  secret: string;
}

/**
 * A WeCom (企业微信) app: a corp's self-built app (自建应用), from the WeCom admin
 * console. Its members log in inside the WeCom client and on the web.
 *
 * @publicApi
 */
export interface WxWeComOptions {
  /** The corp's id, 企业ID (我的企业 → 企业信息). */
  corpid: string;
  /** The app's AgentId (应用管理 → the app). */
  agentid: string | number;
  /** The app's Secret: its corp token is the app's own. Never logged, never put in an error. */
  secret: string;
  /**
   * The absolute URL of the `@WxWeComLoginRoute()` route, where WeCom brings each login back
   * (`?code=&state=`); its host must be the app's trusted domain (可信域名, and for the web login
   * its 授权登录 callback domain).
   */
  callbackURL: string;
}

/**
 * A merchant's app served through the module's third-party platform
 * (`component`): authorised to the platform by the merchant, so no secret of
 * the merchant's is held; its users log in on the platform's behalf.
 *
 * @publicApi
 */
export interface WxAuthorizerApp {
  /** The merchant's appid (`authorizer_appid`). */
  appid: string;
  /** Served through the platform. */
  component: true;
  /**
   * The `authorizer_refresh_token` its authorisation gave (`WxComponent.completeAuthorization`), as
   * the app persisted it: needed for the merchant's own token (`WxAppTokenService`), not for logins.
   */
  authorizerRefreshToken?: string;
}

/**
 * One tenant's WeChat registration, as the app keeps it (a database row):
 * its apps, each with its own appid and secret (or a merchant's, served
 * through the third-party platform), and its own callback URL.
 *
 * @publicApi
 */
export interface WxTenant {
  /** The app's id of the tenant: sealed in the login state, named in errors, on `req.authInfo.state.tenant`. */
  id: string;
  /** Its official account: logins inside WeChat; a merchant's, through the platform. */
  officialAccount?: WxAppCredentials | WxAuthorizerApp;
  /** Its website app: the desktop QR login. */
  website?: WxAppCredentials;
  /** Its mini-program; a merchant's, through the platform. */
  miniProgram?: WxAppCredentials | WxAuthorizerApp;
  /** Its mobile app: native apps' OpenSDK logins. */
  mobileApp?: WxAppCredentials;
  /** Its multi-end app: `wx.weixinAppLogin()` codes. */
  multiEndApp?: WxAppCredentials;
  /** Its WeCom app: `@WxWeComLoginRoute()` logins. */
  wecom?: WxWeComOptions;
  /**
   * Its callback URL, on a domain its apps authorise; the path must be the module's `callbackURL`'s.
   * Tenants may share one. @default the module's `callbackURL`
   */
  callbackURL?: string;
}

/**
 * What the resolver sees of a login request, the same on Express and Fastify.
 *
 * @publicApi
 */
export interface WxTenantRequest {
  /**
   * The host without its port, lower-case: `acme.shop.localhost` for `acme.shop.localhost:3010`,
   * `[::1]` for `[::1]:3010` (as Express's and Fastify's `hostname`). Compare tenants' domains with this.
   */
  hostname: string;
  /** The Host header, lower-case, with its port (X-Forwarded-Host only where the app trusts its proxy: Express's `trust proxy`, Fastify's `trustProxy`). */
  host: string;
  /** The path, without the query. */
  path: string;
  headers: IncomingHttpHeaders;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Where the module finds a tenant's registration, as a provider of the app
 * (its repository and cache injected) passed as the `tenants` option. The
 * module caches what `load` answers for `tenants.cacheTtl`, and what
 * `tenantOfAppid` answers likewise; `WxTenants.forget(id)` drops a tenant's
 * entries at once (after its secret changed, or it was removed).
 *
 * @publicApi
 */
export interface WxTenantResolver {
  /** Which tenant a login request is for (by host, path prefix or header); undefined for none (404). Runs on every login request: keep it cheap. */
  tenantOf(request: WxTenantRequest): MaybePromise<string | undefined>;
  /** The tenant's registration; undefined when it does not exist (any more). */
  load(tenantId: string): MaybePromise<WxTenant | undefined>;
  /** The tenant that has the app `appid`, for the app's tokens and background work; undefined for none. */
  tenantOfAppid(appid: string): MaybePromise<string | undefined>;
}
