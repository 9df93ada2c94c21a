import { SetMetadata } from '@nestjs/common';
import { WX_STRATEGIES, WX_LOGIN_ROUTE, type WxLoginRoute } from '../../wx-oauth.constants.js';

/**
 * Marks the route that completes a follow login (`WxFollowLogin`): its
 * `WxAuthGuard` runs the `'wechat-follow'` strategy, which logs the browser in
 * with the scan of its QR code, through the app's `WxValidator`, sessions and
 * redirects as an OAuth2 login.
 *
 * @publicApi
 */
export const WxFollowLoginRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata<string, WxLoginRoute>(WX_LOGIN_ROUTE, {
    strategy: WX_STRATEGIES.follow,
    completes: true,
  });
