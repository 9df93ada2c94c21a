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

/** @internal The metadata key of the login routes that are not WeChat's OAuth2: their flow. */
export const WX_LOGIN_FLOW = 'wx_oauth:login_flow';

/**
 * Marks the route that completes a follow login (`WxFollowLogin`): its
 * `WxAuthGuard` logs the browser in with the scan of its QR code, through the
 * same strategy, `validate`, sessions and redirects as an OAuth2 login.
 *
 * @publicApi
 */
export const WxFollowLoginRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata(WX_LOGIN_FLOW, 'follow');

/**
 * Marks a `POST` route as the mini-program login: its `WxAuthGuard` takes the
 * JSON body `{ code, phoneCode? }` (`wx.login()`'s code, and optionally the
 * `getPhoneNumber` button's), and puts the user on `req.user` through the same
 * strategy and `validate` as the web logins. It answers no redirect and starts
 * no session (a mini-program keeps no cookies): the handler answers the app's
 * own token.
 *
 * @publicApi
 */
export const WxMiniProgramLoginRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata(WX_LOGIN_FLOW, 'miniProgram');

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
