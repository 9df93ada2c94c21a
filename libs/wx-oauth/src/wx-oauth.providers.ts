import type { Provider } from '@nestjs/common';
import { WXOAuth } from './client/wx-oauth.client.js';
import { WX_OAUTH_MODULE_OPTIONS, WX_OAUTH_OPTIONS } from './wx-oauth.constants.js';
import { resolveWxOAuthOptions, type ResolvedWxOAuthOptions } from './wx-oauth.options.js';

/** Validated options, derived from the raw ones so sync and async registration share it. */
export const wxOAuthOptionsProvider: Provider = {
  provide: WX_OAUTH_OPTIONS,
  useFactory: resolveWxOAuthOptions,
  inject: [WX_OAUTH_MODULE_OPTIONS],
};

export const wxOAuthClientProvider: Provider = {
  provide: WXOAuth,
  useFactory: (options: ResolvedWxOAuthOptions) => new WXOAuth(options),
  inject: [WX_OAUTH_OPTIONS],
};
