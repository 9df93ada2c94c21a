import { ConfigModule, ConfigService } from '@nestjs/config';
import { z } from 'zod';
import { parseOptions, wxClientOptionsShape } from '../client/wx-oauth-client.options.js';
import type { WxOAuthModuleAsyncOptions } from '../wx-oauth.module-definition.js';
import { wxModuleOptionsShape, type WxAppCredentials, type WxOAuthModuleOptions } from '../wx-oauth.options.js';

/**
 * The configuration keys `wxOAuthFromConfig` reads. One app: the seed's
 * `WX_APPID` and `WX_SECRET`. Two apps: `WX_MP_APPID`/`WX_MP_SECRET` (the
 * official account) and `WX_WEB_APPID`/`WX_WEB_SECRET` (the website app),
 * either pair or both.
 *
 * @publicApi
 */
export const WX_OAUTH_CONFIG_KEYS = [
  'WX_APPID',
  'WX_SECRET',
  'WX_MP_APPID',
  'WX_MP_SECRET',
  'WX_WEB_APPID',
  'WX_WEB_SECRET',
  'WX_CALLBACK_URL',
  'WX_SCOPE',
  'WX_API_BASE_URL',
  'WX_OPEN_BASE_URL',
] as const;

const { appid, secret } = wxClientOptionsShape;
const APP_PAIRS = [
  ['WX_APPID', 'WX_SECRET'],
  ['WX_MP_APPID', 'WX_MP_SECRET'],
  ['WX_WEB_APPID', 'WX_WEB_SECRET'],
] as const;

// Validated under the keys' own names, so a start-up error names the variable to fix.
const configSchema = z
  .object({
    WX_APPID: appid.optional(),
    WX_SECRET: secret.optional(),
    WX_MP_APPID: appid.optional(),
    WX_MP_SECRET: secret.optional(),
    WX_WEB_APPID: appid.optional(),
    WX_WEB_SECRET: secret.optional(),
    WX_CALLBACK_URL: wxModuleOptionsShape.callbackURL,
    WX_SCOPE: wxModuleOptionsShape.scope,
    WX_API_BASE_URL: wxModuleOptionsShape.apiBaseUrl,
    WX_OPEN_BASE_URL: wxModuleOptionsShape.openBaseUrl,
  })
  .superRefine((config, context) => {
    const issue = (key: string, message: string) => context.addIssue({ code: 'custom', path: [key], message });
    for (const [id, key] of APP_PAIRS) {
      if (config[id] && !config[key]) issue(key, `is required with ${id}`);
      if (!config[id] && config[key]) issue(id, `is required with ${key}`);
    }
    const single = Boolean(config.WX_APPID || config.WX_SECRET);
    const byKind = Boolean(config.WX_MP_APPID || config.WX_MP_SECRET || config.WX_WEB_APPID || config.WX_WEB_SECRET);
    if (single && byKind) issue('WX_APPID', 'set WX_APPID/WX_SECRET (one app) or WX_MP_*/WX_WEB_* (two apps), not both');
    if (!single && !byKind) issue('WX_APPID', 'is required (or WX_MP_APPID / WX_WEB_APPID)');
    // Reported with the other keys' problems, not after they are fixed.
  }, { when: () => true });

/**
 * `WxOAuthModule.forRootAsync(wxOAuthFromConfig())`: the module configured from
 * `@nestjs/config`'s `ConfigService` (the environment, `.env` files, `load`ed
 * configuration) under the keys of `WX_OAUTH_CONFIG_KEYS`. `extra` adds the
 * options that are not strings, such as `validate` or `tokenStore`. The app
 * fails to start with every missing or invalid key named, never its value.
 *
 * @publicApi
 */
export function wxOAuthFromConfig(
  extra: Partial<WxOAuthModuleOptions> = {},
  asyncOptions: Pick<WxOAuthModuleAsyncOptions, 'isGlobal'> = {},
): WxOAuthModuleAsyncOptions {
  return {
    ...asyncOptions,
    imports: [ConfigModule],
    inject: [ConfigService],
    useFactory: (config: ConfigService): WxOAuthModuleOptions => ({ ...readWxConfig(config), ...extra }),
  };
}

/** Reads and validates the keys; an empty value (as docker-compose passes `${X:-}`) counts as unset. */
function readWxConfig(config: ConfigService): WxOAuthModuleOptions {
  const values = Object.fromEntries(WX_OAUTH_CONFIG_KEYS.map((key) => [key, config.get<string>(key) || undefined]));
  const c = parseOptions(configSchema, values, 'WxOAuthModule configuration');
  const app = (id?: string, key?: string): WxAppCredentials | undefined => (id && key ? { appid: id, secret: key } : undefined);
  return {
    ...(c.WX_APPID ? { appid: c.WX_APPID, secret: c.WX_SECRET } : {}),
    ...(c.WX_MP_APPID ? { officialAccount: app(c.WX_MP_APPID, c.WX_MP_SECRET) } : {}),
    ...(c.WX_WEB_APPID ? { website: app(c.WX_WEB_APPID, c.WX_WEB_SECRET) } : {}),
    callbackURL: c.WX_CALLBACK_URL,
    scope: c.WX_SCOPE,
    apiBaseUrl: c.WX_API_BASE_URL,
    openBaseUrl: c.WX_OPEN_BASE_URL,
  };
}
