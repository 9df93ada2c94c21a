import { SetMetadata } from '@nestjs/common';
import { WX_LOGIN_ROUTE, WX_STRATEGIES, type WxLoginRoute } from '../../wx-oauth.constants.js';

/** @publicApi */
export interface WxAppLoginRouteOptions {
  /**
   * Whether the login needs a state `WxAppStates` issued. `false` lets an app that cannot ask for
   * one first log in without it, at a risk: any app or web page can open the app's URL scheme with
   * a code of the attacker's, and the victim's app then logs in as the attacker. @default true
   */
  checkState?: boolean;
}

/**
 * Marks a `POST` route as a native app's login: its `WxAuthGuard` runs the
 * `'wechat-app'` strategy, which takes `{ code, state, multiEnd? }` as JSON or
 * a form (the OpenSDK's code and the state the server issued; `multiEnd: true`
 * for a multi-end app's `wx.weixinAppLogin()` code) and puts the app's user on
 * `req.user`. It answers no redirect and starts no session: the handler
 * answers the app's own token.
 *
 * @publicApi
 */
export const WxAppLoginRoute = (
  options: WxAppLoginRouteOptions = {},
): MethodDecorator & ClassDecorator =>
  SetMetadata<string, WxLoginRoute>(WX_LOGIN_ROUTE, {
    strategy: WX_STRATEGIES.app,
    api: true,
    options,
  });
