import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WxAppTokenService } from './app-token/wx-app-token.service.js';
import { WxOAuthApps } from './apps/wx-oauth-apps.js';
import { WXOAuth } from './client/wx-oauth.client.js';
import { CallbackRouteCheck } from './login/callback-route.check.js';
import { WxHandoff } from './login/wx-handoff.js';
import { WxLogin } from './login/wx-login.js';
import { WxQrLogin } from './login/wx-qr-login.js';
import { WxFollowLogin } from './follow/wx-follow-login.js';
import { WxMiniProgramLogin } from './mini-program/wx-mini-program-login.js';
import { WxMiniProgramSessions } from './mini-program/wx-mini-program-sessions.js';
import { WxStrategy } from './passport/wx.strategy.js';
import { WxPushReceiver } from './push/wx-push-receiver.js';
import { WxOAuthStoreHost } from './store/wx-oauth-store.host.js';
import { WxTenants } from './tenants/wx-tenants.js';
import { WxTokenService } from './tokens/wx-token.service.js';
import { WX_OAUTH_APP_CLIENT, WX_OAUTH_STORE } from './wx-oauth.constants.js';
import { ConfigurableModuleClass } from './wx-oauth.module-definition.js';
import {
  duplicateCallbacksProvider,
  wxOAuthAppClientProviders,
  wxOAuthClientProvider,
  wxOAuthClockProvider,
  wxOAuthOptionsProvider,
  wxOAuthStoreProvider,
  wxStateStoreProvider,
} from './wx-oauth.providers.js';

/**
 * WeChat login for a Nest app: `forRoot(options)` or `forRootAsync({ useFactory
 * | useClass | useExisting })`, with `isGlobal`. Provides `WXOAuth`, the
 * `'wechat'` strategy that `WxAuthGuard` runs (or the app's own, extending
 * `WxStrategy` with `WxLogin`), `WxTokenService`, `WxQrLogin`, `WxHandoff`, the
 * apps' `WxAppTokenService`, the official account's `WxPushReceiver` and
 * `WxFollowLogin`, the mini-program's `WxMiniProgramLogin` and
 * `WxMiniProgramSessions`, `WxTenants` (with `tenants`), and the store (`WX_OAUTH_STORE`).
 *
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    wxOAuthOptionsProvider,
    wxOAuthClockProvider,
    wxOAuthStoreProvider,
    WxOAuthStoreHost,
    WxOAuthApps,
    wxOAuthClientProvider,
    ...wxOAuthAppClientProviders,
    duplicateCallbacksProvider,
    wxStateStoreProvider,
    WxTokenService,
    WxLogin,
    WxStrategy,
    WxQrLogin,
    WxHandoff,
    CallbackRouteCheck,
    WxAppTokenService,
    WxFollowLogin,
    WxPushReceiver,
    WxMiniProgramSessions,
    WxMiniProgramLogin,
    WxTenants,
  ],
  // WxAuthGuard needs none of these: passport finds the strategy by name, so the guard works in any module.
  exports: [
    WXOAuth,
    ...Object.values(WX_OAUTH_APP_CLIENT),
    WX_OAUTH_STORE,
    WxTokenService,
    WxLogin,
    WxQrLogin,
    WxHandoff,
    WxAppTokenService,
    WxFollowLogin,
    WxPushReceiver,
    WxMiniProgramSessions,
    WxMiniProgramLogin,
    WxTenants,
  ],
})
export class WxOAuthModule extends ConfigurableModuleClass {}
