import { ConfigModule, ConfigService } from '@nestjs/config';
import { z } from 'zod';
import { parseOptions } from './client/wx-oauth-client.options.js';
import type { WxOAuthModuleAsyncOptions } from './wx-oauth.module-definition.js';
import { wxModuleOptionsShape, type WxOAuthModuleOptions } from './wx-oauth.options.js';

/**
 * The configuration keys `wxOAuthFromConfig` reads, the seed's `WX_APPID` and
 * `WX_SECRET` among them, and the option each one sets.
 *
 * @publicApi
 */
export const WX_OAUTH_CONFIG_KEYS = {
  WX_APPID: 'appid',
  WX_SECRET: 'secret',
  WX_CALLBACK_URL: 'callbackURL',
  WX_SCOPE: 'scope',
  WX_API_BASE_URL: 'apiBaseUrl',
  WX_OPEN_BASE_URL: 'openBaseUrl',
} as const satisfies Record<string, keyof WxOAuthModuleOptions>;

type ConfigKey = keyof typeof WX_OAUTH_CONFIG_KEYS;
type ConfigOptions = Pick<WxOAuthModuleOptions, (typeof WX_OAUTH_CONFIG_KEYS)[ConfigKey]>;

// Validated under the keys' own names, so a start-up error names the variable to fix.
const configSchema = z.object(
  Object.fromEntries(
    Object.entries(WX_OAUTH_CONFIG_KEYS).map(([key, option]) => [key, wxModuleOptionsShape[option]]),
  ) as { [K in ConfigKey]: (typeof wxModuleOptionsShape)[(typeof WX_OAUTH_CONFIG_KEYS)[K]] },
);

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
function readWxConfig(config: ConfigService): ConfigOptions {
  const values = Object.fromEntries(
    Object.keys(WX_OAUTH_CONFIG_KEYS).map((key) => [key, config.get<string>(key) || undefined]),
  );
  const parsed = parseOptions(configSchema, values, 'WxOAuthModule configuration');
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [WX_OAUTH_CONFIG_KEYS[key as ConfigKey], value]),
  ) as ConfigOptions;
}
