import { Inject, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { WxAppKind } from './apps/wx-app-kind.js';
import type { WxScope } from './client/wx-oauth.types.js';
import { WX_OAUTH_APP_CLIENT, WX_OAUTH_MODULE_OPTIONS } from './wx-oauth.constants.js';

/**
 * The scope a login route asks for, overriding the module's `scope`; e.g.
 * `snsapi_login` for the website QR page, `snsapi_userinfo` inside WeChat.
 * Also its own metadata key: `reflector.get(WxAuthScope, handler)`.
 *
 * @publicApi
 */
export const WxAuthScope = Reflector.createDecorator<WxScope>();

/** @internal The metadata key of `@WxFollowLoginRoute()`. */
export const WX_FOLLOW_LOGIN_ROUTE = 'wx_oauth:follow_login_route';

/**
 * Marks the route that completes a follow login (`WxFollowLogin`): its
 * `WxAuthGuard` logs the browser in with the scan of its QR code, through the
 * same strategy, `validate`, sessions and redirects as an OAuth2 login.
 *
 * @publicApi
 */
export const WxFollowLoginRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata(WX_FOLLOW_LOGIN_ROUTE, true);

/**
 * Injects the module's options as the app passed them (`WxOAuthModuleOptions`),
 * in any module that imports `WxOAuthModule` (or everywhere with `isGlobal`).
 *
 * @publicApi
 */
export const InjectWxOAuthOptions = (): PropertyDecorator & ParameterDecorator =>
  Inject(WX_OAUTH_MODULE_OPTIONS);

/**
 * Injects one app's `WXOAuth` in a registration with two apps:
 * `@InjectWxOAuth('website') wx: WXOAuth | null` (null when that app is not
 * registered; with one `appid`, both kinds are that app). `WXOAuth` itself
 * injects the official account's, else the website app's.
 *
 * @publicApi
 */
export const InjectWxOAuth = (kind: WxAppKind): PropertyDecorator & ParameterDecorator =>
  Inject(WX_OAUTH_APP_CLIENT[kind]);
