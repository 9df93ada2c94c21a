import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { parseOptions, wxClientOptionsShape, type WXOAuthOptions } from './client/wx-oauth-client.options.js';
import { WX_SCOPES, type WxAccessToken, type WxScope } from './client/wx-oauth.types.js';
import type { WxIdField, WxProfile } from './passport/wx-profile.js';
import { MemoryTokenStore } from './tokens/memory-token-store.js';
import type { WxTokenStore } from './tokens/wx-token-store.js';

/** Maps WeChat's user to the app's; its result becomes `req.user`. Return null to refuse the login. */
export type WxValidate = (profile: WxProfile, tokens: WxAccessToken) => unknown | Promise<unknown>;

/**
 * One WeChat app's credentials, for a registration with two apps.
 *
 * @publicApi
 */
export interface WxAppCredentials {
  appid: string;
  secret: string;
}

/** Which of a site's two WeChat apps: the official account logs in inside WeChat, the website app on a desktop. */
export type WxAppKind = 'officialAccount' | 'website';

/**
 * Options of `WxOAuthModule.forRoot` / `forRootAsync`: one app (`appid` and
 * `secret`, used for every flow), or an official account and a website app,
 * either or both (`officialAccount`, `website`), each used for its own flow.
 *
 * @publicApi
 */
export interface WxOAuthModuleOptions extends Omit<WXOAuthOptions, 'appid' | 'secret'> {
  /** One app for every flow: its AppID. Or use `officialAccount` / `website`. */
  appid?: string;
  /** One app for every flow: its AppSecret. */
  secret?: string;
  /** The official account (公众号/服务号): logins inside WeChat, `snsapi_base` / `snsapi_userinfo`. */
  officialAccount?: WxAppCredentials;
  /** The Open Platform website app (网站应用): the desktop QR login, `snsapi_login`. */
  website?: WxAppCredentials;
  /** The absolute callback URL; its host must be the app's authorised callback domain. */
  callbackURL: string;
  /** The scope of a route without `@WxAuthScope` (with two apps: inside WeChat). @default 'snsapi_base' */
  scope?: WxScope;
  /** Which WeChat id becomes `profile.id`. @default 'openid' */
  idField?: WxIdField;
  /** HMAC key of the state cookie; all instances of an app must share it. @default derived from the (first) app's secret */
  stateSecret?: string;
  /** How long a login may take, in milliseconds. @default 600000 (10 minutes) */
  stateTtl?: number;
  /** Maps the profile to the app's user. @default the profile itself */
  validate?: WxValidate;
  /** Where tokens and single-use login states live; share one (e.g. `RedisTokenStore`) across instances. @default a `MemoryTokenStore` */
  tokenStore?: WxTokenStore;
  /** Refresh an access token this many milliseconds before it expires. @default 300000 (5 minutes) */
  tokenRefreshMargin?: number;
}

export interface ResolvedWxOAuthOptions
  extends Required<
    Omit<WxOAuthModuleOptions, 'appid' | 'secret' | 'officialAccount' | 'website' | 'validate' | 'stateSecret' | 'tokenStore' | 'axios'>
  > {
  /**
   * The app of each flow: one app is both; with two apps, the one not
   * registered is missing, and its flow is refused before the browser leaves.
   */
  apps: Partial<Record<WxAppKind, WxAppCredentials>>;
  /** Whether the apps were registered by kind (`officialAccount` / `website`) rather than as one `appid`. */
  byKind: boolean;
  validate?: WxValidate;
  axios?: WxOAuthModuleOptions['axios'];
  tokenStore: WxTokenStore;
  /** Whether `tokenStore` is the default in-memory one. */
  tokenStoreIsDefault: boolean;
  /** The state cookie's HMAC key. */
  stateKey: Buffer;
}

const STORE_METHODS = ['get', 'set', 'delete', 'claim', 'lock', 'setIfLocked', 'unlock'] as const;

/** Each option's validation, shared with the `@nestjs/config` keys of `wxOAuthFromConfig`. */
const credentials = z.object({ appid: wxClientOptionsShape.appid, secret: wxClientOptionsShape.secret });

export const wxModuleOptionsShape = {
  ...wxClientOptionsShape,
  appid: wxClientOptionsShape.appid.optional(),
  secret: wxClientOptionsShape.secret.optional(),
  officialAccount: credentials.optional(),
  website: credentials.optional(),
  callbackURL: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  scope: z.enum(WX_SCOPES as [WxScope, ...WxScope[]]).default('snsapi_base'),
  idField: z.enum(['openid', 'unionid']).default('openid'),
  stateSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  stateTtl: z.number().int().min(10_000).max(3_600_000).default(600_000),
  validate: z.custom<WxValidate>((value) => typeof value === 'function', 'must be a function').optional(),
  tokenStore: z
    .custom<WxTokenStore>(
      (value) => STORE_METHODS.every((method) => typeof (value as Record<string, unknown> | null)?.[method] === 'function'),
      `must implement WxTokenStore (${STORE_METHODS.join(', ')})`,
    )
    .optional(),
  tokenRefreshMargin: z.number().int().min(0).max(3_600_000).default(300_000),
};

const schema = z.object(wxModuleOptionsShape).superRefine((options, context) => {
  const single = options.appid !== undefined || options.secret !== undefined;
  const byKind = options.officialAccount !== undefined || options.website !== undefined;
  const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
  if (single && byKind) issue('appid', 'give either appid and secret (one app) or officialAccount / website, not both');
  else if (!byKind) {
    if (options.appid === undefined) issue('appid', 'is required (or officialAccount / website)');
    if (options.secret === undefined) issue('secret', 'is required');
  }
  // Reported with the other options' problems, not after they are fixed.
}, { when: () => true });

/** Validates the module's options at start-up; the app fails to boot with every problem listed. */
export function resolveWxOAuthOptions(options: WxOAuthModuleOptions): ResolvedWxOAuthOptions {
  const { stateSecret, tokenStore, appid, secret, officialAccount, website, ...resolved } = parseOptions(
    schema,
    options,
    'WxOAuthModule',
  );
  const byKind = !appid;
  const apps = byKind ? { officialAccount, website } : { officialAccount: { appid, secret: secret! }, website: { appid, secret: secret! } };
  // A key derived from an app secret works across instances with no extra setting.
  const keySecret = stateSecret ?? (apps.officialAccount ?? apps.website)!.secret;
  const stateKey = createHmac('sha256', keySecret).update('nest-wx-oauth:state').digest();
  return {
    ...resolved,
    apps: Object.fromEntries(Object.entries(apps).filter(([, app]) => app)),
    byKind,
    stateKey,
    tokenStore: tokenStore ?? new MemoryTokenStore(),
    tokenStoreIsDefault: !tokenStore,
  };
}
