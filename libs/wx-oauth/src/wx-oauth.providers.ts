import { Logger, type Provider } from '@nestjs/common';
import { WxTenants } from './apps/wx-tenants.js';
import { WxAuthorizers } from './component/wx-authorizers.js';
import { WxComponent } from './component/wx-component.js';
import { WxComponentPlatform } from './component/wx-component-platform.js';
import { WxOAuthErrorFallback } from './errors/wx-oauth-error-fallback.js';
import { CallbackRouteCheck } from './guard/callback-route.check.js';
import { WxAppLogin } from './logins/app/wx-app-login.js';
import { WxAppStates } from './logins/app/wx-app-states.js';
import { WxAppStrategy } from './logins/app/wx-app.strategy.js';
import { WxFollowLogin } from './logins/follow/wx-follow-login.js';
import { WxFollowStrategy } from './logins/follow/wx-follow.strategy.js';
import { WxMiniProgramLogin } from './logins/mini-program/wx-mini-program-login.js';
import { WxMiniProgramSessions } from './logins/mini-program/wx-mini-program-sessions.js';
import { WxMiniProgramStrategy } from './logins/mini-program/wx-mini-program.strategy.js';
import { WxWeComCallbackRouteCheck } from './logins/wecom/wx-wecom-callback-route.check.js';
import { WxWeComLogin } from './logins/wecom/wx-wecom-login.js';
import { WxWeComLoginPanel } from './logins/wecom/wx-wecom-login-panel.js';
import { WxWeComStrategy } from './logins/wecom/wx-wecom.strategy.js';
import { WxCodeExchange } from './logins/oauth/wx-code-exchange.js';
import { WxOAuthStrategy } from './logins/oauth/wx-oauth.strategy.js';
import { WxQrLogin } from './logins/oauth/wx-qr-login.js';
import { WxValidation } from './profile/wx-validation.js';
import { WxComponentReceiver } from './push/wx-component-receiver.js';
import { WxPushReceiver } from './push/wx-push-receiver.js';
import { WxHandoff } from './state/wx-handoff.js';
import { WxOAuthStoreHost } from './store/wx-oauth-store.host.js';
import { WxAppTokenService } from './tokens/wx-app-token.service.js';
import { WxTokenService } from './tokens/wx-token.service.js';
import { WxWeComTokens } from './tokens/wx-wecom-tokens.js';
import { WxOAuthRegistrationCheck } from './wx-oauth-registration.check.js';
import { WX_APP_KINDS } from './apps/wx-app-kind.js';
import { WxOAuthApps } from './apps/wx-oauth-apps.js';
import { WXOAuth } from './client/wx-oauth.client.js';
import type { WxOAuthModuleOptions } from './options/wx-oauth-module-options.interface.js';
import { DuplicateCallbacks } from './state/duplicate-callbacks.js';
import { stateKeyOf, WxStateStore } from './state/wx-state.store.js';
import { WxMemoryStore } from './store/wx-memory-store.js';
import type { WxOAuthStore } from './store/wx-oauth-store.interface.js';
import { systemClock, type WxClock } from './utils/clock.js';
import { isProduction } from './utils/node-env.js';
import {
  WX_OAUTH_APP_CLIENT,
  WX_OAUTH_CLOCK,
  WX_OAUTH_MODULE_OPTIONS,
  WX_OAUTH_OPTIONS,
  WX_OAUTH_STORE,
} from './wx-oauth.constants.js';
import {
  NATIVE_APPS,
  resolveWxOAuthOptions,
  type WxOAuthSettings,
} from './options/wx-oauth.options.js';

/** Validated options, derived from the raw ones so that sync and async registration share it. */
const wxOAuthOptionsProvider: Provider = {
  provide: WX_OAUTH_OPTIONS,
  useFactory: (options: WxOAuthModuleOptions) => {
    const settings = resolveWxOAuthOptions(options);
    // The default scope's logins inside WeChat carry no unionid: linking them to the native apps' would silently fail.
    const nativeApps = NATIVE_APPS.some((kind) => settings[kind]);
    if (nativeApps && hasOfficialAccount(settings) && options.scope === undefined)
      new Logger('WxOAuthModule').warn(
        "The official account's logins use the default scope snsapi_base, which gives no unionid: they will not be " +
          "linked to the mini-program's or the app's users. Set scope: 'snsapi_userinfo' (WX_SCOPE) to link them, or scope: 'snsapi_base' to keep it.",
      );
    return settings;
  },
  inject: [WX_OAUTH_MODULE_OPTIONS],
};

const wxOAuthClockProvider: Provider = { provide: WX_OAUTH_CLOCK, useValue: systemClock };

let warnedAboutMemoryStore = false;

/** The `store` option, else one in this process's memory. */
const wxOAuthStoreProvider: Provider = {
  provide: WX_OAUTH_STORE,
  useFactory: (settings: WxOAuthSettings, clock: WxClock): WxOAuthStore => {
    if (settings.store) return settings.store;
    if (isProduction() && !warnedAboutMemoryStore) {
      warnedAboutMemoryStore = true;
      new Logger('WxOAuthModule').warn(
        'Tokens and logins are kept in this process memory (WxMemoryStore): they are lost on restart and not shared ' +
          'between instances. Pass store: new WxRedisStore({ url }) from nest-wx-oauth/redis.',
      );
    }
    return new WxMemoryStore({}, clock);
  },
  inject: [WX_OAUTH_OPTIONS, WX_OAUTH_CLOCK],
};

/** `WXOAuth`: the one app, or the official account (else the website app) of two; null with tenants. */
const wxOAuthClientProvider: Provider = {
  provide: WXOAuth,
  useFactory: (apps: WxOAuthApps) => apps.primary ?? null,
  inject: [WxOAuthApps],
};

/** Each kind's client for `@InjectWxOAuth(kind)`: null when that app is not registered. */
const wxOAuthAppClientProviders: Provider[] = WX_APP_KINDS.map((kind) => ({
  provide: WX_OAUTH_APP_CLIENT[kind],
  useFactory: (apps: WxOAuthApps) => apps.get(kind) ?? null,
  inject: [WxOAuthApps],
}));

const duplicateCallbacksProvider: Provider = {
  provide: DuplicateCallbacks,
  // An exchange takes at most two WeChat calls, each within the timeout.
  useFactory: (settings: WxOAuthSettings, store: WxOAuthStore, clock: WxClock) =>
    new DuplicateCallbacks(store, clock, 2 * settings.timeout),
  inject: [WX_OAUTH_OPTIONS, WX_OAUTH_STORE, WX_OAUTH_CLOCK],
};

/** The login states, shared by the strategy and the embedded QR login. */
const wxStateStoreProvider: Provider = {
  provide: WxStateStore,
  useFactory: (settings: WxOAuthSettings, duplicates: DuplicateCallbacks, clock: WxClock) => {
    // A key derived from an app secret works across instances with no extra setting.
    const secret =
      settings.state.secret ??
      (settings.secret ??
        WX_APP_KINDS.map((kind) => settings[kind]?.secret).find(Boolean) ??
        settings.wecom?.secret)!;
    return new WxStateStore({
      key: stateKeyOf(secret),
      ttlMs: settings.state.ttl,
      frontendOrigins: settings.frontendOrigins,
      // The callback the cookie comes back to: WeChat's, else WeCom's alone.
      secure: (settings.callbackURL ?? settings.wecom?.callbackURL)?.startsWith('https:') === true,
      duplicates,
      clock,
    });
  },
  inject: [WX_OAUTH_OPTIONS, DuplicateCallbacks, WX_OAUTH_CLOCK],
};

/** Whether the fixed registration logs in inside WeChat: one `appid`, or an official account. */
function hasOfficialAccount(settings: WxOAuthSettings): boolean {
  return settings.appid !== undefined || settings.officialAccount !== undefined;
}

/** Every provider of a registration (`forRoot` / `forRootAsync`). */
export const wxOAuthProviders: Provider[] = [
  wxOAuthOptionsProvider,
  wxOAuthClockProvider,
  wxOAuthStoreProvider,
  WxOAuthStoreHost,
  WxComponentPlatform,
  WxAuthorizers,
  WxOAuthApps,
  wxOAuthClientProvider,
  ...wxOAuthAppClientProviders,
  duplicateCallbacksProvider,
  wxStateStoreProvider,
  WxTokenService,
  WxAppTokenService,
  WxValidation,
  WxHandoff,
  WxCodeExchange,
  WxOAuthStrategy,
  WxQrLogin,
  WxPushReceiver,
  WxFollowLogin,
  WxFollowStrategy,
  WxMiniProgramSessions,
  WxMiniProgramLogin,
  WxMiniProgramStrategy,
  WxAppStates,
  WxAppLogin,
  WxAppStrategy,
  WxWeComTokens,
  WxWeComLogin,
  WxWeComStrategy,
  WxWeComLoginPanel,
  WxTenants,
  WxComponent,
  WxComponentReceiver,
  CallbackRouteCheck,
  WxWeComCallbackRouteCheck,
  WxOAuthRegistrationCheck,
  WxOAuthErrorFallback,
];

/** What the app's modules inject. */
export const wxOAuthExports = [
  WX_OAUTH_STORE,
  WXOAuth,
  ...Object.values(WX_OAUTH_APP_CLIENT),
  WxTokenService,
  WxAppTokenService,
  WxHandoff,
  WxQrLogin,
  WxPushReceiver,
  WxFollowLogin,
  WxMiniProgramSessions,
  WxAppStates,
  WxWeComLoginPanel,
  WxTenants,
  WxComponent,
  WxComponentReceiver,
];
