import type { Provider } from '@nestjs/common';
import { WXOAuth } from './client/wx-oauth.client.js';
import { WxStateStore } from './state/wx-state.store.js';
import { WX_OAUTH_APP_CLIENT, WX_OAUTH_MODULE_OPTIONS, WX_OAUTH_OPTIONS } from './wx-oauth.constants.js';
import { WxOAuthApps } from './wx-oauth.apps.js';
import { resolveWxOAuthOptions, type ResolvedWxOAuthOptions, type WxAppKind } from './wx-oauth.options.js';

/** Validated options, derived from the raw ones so sync and async registration share it. */
export const wxOAuthOptionsProvider: Provider = {
  provide: WX_OAUTH_OPTIONS,
  useFactory: resolveWxOAuthOptions,
  inject: [WX_OAUTH_MODULE_OPTIONS],
};

export const wxOAuthAppsProvider: Provider = {
  provide: WxOAuthApps,
  useFactory: (options: ResolvedWxOAuthOptions) => new WxOAuthApps(options),
  inject: [WX_OAUTH_OPTIONS],
};

/** `WXOAuth`: the one app, or the official account (else the website app) of two. */
export const wxOAuthClientProvider: Provider = {
  provide: WXOAuth,
  useFactory: (apps: WxOAuthApps) => apps.primary,
  inject: [WxOAuthApps],
};

/** Each kind's client for `@InjectWxOAuth(kind)`: null when that app is not registered. */
export const wxOAuthAppClientProviders: Provider[] = (['officialAccount', 'website'] as WxAppKind[]).map((kind) => ({
  provide: WX_OAUTH_APP_CLIENT[kind],
  useFactory: (apps: WxOAuthApps) => apps.get(kind) ?? null,
  inject: [WxOAuthApps],
}));

/** The login states, shared by the strategy and the embedded QR login. */
export const wxStateStoreProvider: Provider = {
  provide: WxStateStore,
  useFactory: (options: ResolvedWxOAuthOptions, apps: WxOAuthApps) =>
    new WxStateStore({
      key: options.stateKey,
      ttlMs: options.stateTtl,
      secure: options.callbackURL.startsWith('https:'),
      store: options.tokenStore,
      appid: apps.primary.appid,
    }),
  inject: [WX_OAUTH_OPTIONS, WxOAuthApps],
};
