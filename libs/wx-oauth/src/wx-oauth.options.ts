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
 * Options of `WxOAuthModule.forRoot` / `forRootAsync`.
 *
 * @publicApi
 */
export interface WxOAuthModuleOptions extends WXOAuthOptions {
  /** The absolute callback URL; its host must be the app's authorised callback domain. */
  callbackURL: string;
  /** @default 'snsapi_base' */
  scope?: WxScope;
  /** Which WeChat id becomes `profile.id`. @default 'openid' */
  idField?: WxIdField;
  /** HMAC key of the state cookie; all instances of an app must share it. @default derived from `secret` */
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
  extends Required<Omit<WxOAuthModuleOptions, 'validate' | 'stateSecret' | 'tokenStore' | 'axios'>> {
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
export const wxModuleOptionsShape = {
  ...wxClientOptionsShape,
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

const schema = z.object(wxModuleOptionsShape);

/** Validates the module's options at start-up; the app fails to boot with every problem listed. */
export function resolveWxOAuthOptions(options: WxOAuthModuleOptions): ResolvedWxOAuthOptions {
  const { stateSecret, tokenStore, ...resolved } = parseOptions(schema, options, 'WxOAuthModule');
  // A key derived from the app secret works across instances with no extra setting.
  const stateKey = createHmac('sha256', stateSecret ?? resolved.secret).update('nest-wx-oauth:state').digest();
  return { ...resolved, stateKey, tokenStore: tokenStore ?? new MemoryTokenStore(), tokenStoreIsDefault: !tokenStore };
}
