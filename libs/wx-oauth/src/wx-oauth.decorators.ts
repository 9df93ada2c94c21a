import { Inject } from '@nestjs/common';
import type { WxAppKind } from './apps/wx-app-kind.js';
import { WX_OAUTH_APP_CLIENT, WX_OAUTH_MODULE_OPTIONS } from './wx-oauth.constants.js';

/**
 * Injects the module's options as the app passed them (`WxOAuthModuleOptions`).
 *
 * @publicApi
 */
export const InjectWxOAuthOptions = (): PropertyDecorator & ParameterDecorator =>
  Inject(WX_OAUTH_MODULE_OPTIONS);

/**
 * Injects one app's `WXOAuth` in a registration with several apps:
 * `@InjectWxOAuth('website') wx: WXOAuth | null` (null when that app is not
 * registered; with one `appid`, both browser kinds are that app). `WXOAuth`
 * itself injects the official account's, else the website app's.
 *
 * @publicApi
 */
export const InjectWxOAuth = (kind: WxAppKind): PropertyDecorator & ParameterDecorator =>
  Inject(WX_OAUTH_APP_CLIENT[kind]);
