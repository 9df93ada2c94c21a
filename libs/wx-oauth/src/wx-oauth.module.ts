import { Module } from '@nestjs/common';
import { ConfigurableModuleClass } from './wx-oauth.module-definition.js';

/**
 * WeChat login for a Nest app, registered once in the root module:
 * `forRoot(options)` or `forRootAsync({ useFactory | useClass | useExisting })`.
 * It serves every module (`isGlobal: false` keeps it to the modules that
 * import the registration). Provides the login kinds' Passport strategies
 * (`'wechat'`, `'wechat-follow'`, `'wechat-mini-program'`) that `WxAuthGuard`
 * runs, `WXOAuth`, `WxTokenService`, `WxAppTokenService`, `WxQrLogin`,
 * `WxHandoff`, the official account's `WxPushReceiver` and `WxFollowLogin`,
 * `WxMiniProgramSessions`, `WxTenants` (with `tenants`), and the store
 * (`WX_OAUTH_STORE`); the app's `@WxValidator()`, in any module, maps every
 * login's profile to its user.
 *
 * @publicApi
 */
@Module({})
export class WxOAuthModule extends ConfigurableModuleClass {}
