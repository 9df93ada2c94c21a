import { SetMetadata } from '@nestjs/common';
import type { WxWeComScope } from '../../client/wx-wecom.types.js';
import { WX_LOGIN_ROUTE, WX_STRATEGIES, type WxLoginRoute } from '../../wx-oauth.constants.js';

/** @publicApi */
export interface WxWeComLoginRouteOptions {
  /**
   * Inside the WeCom client: `'snsapi_privateinfo'` asks the member to consent to their details
   * (name, avatar, mobile, email, gender, those they have); `'snsapi_base'` logs in silently with
   * the userid alone. The web login gives the userid alone. @default 'snsapi_base'
   */
  scope?: WxWeComScope;
  /**
   * Someone who is not a member of the corp (a WeChat user, an external contact): `'refuse'`
   * answers 403 `not_member` before the app's validator; `'accept'` hands the app's validator a
   * profile with `member: false`. @default 'refuse'
   */
  nonMembers?: 'refuse' | 'accept';
}

/**
 * Marks a `GET` route as the WeCom (企业微信) login, start and callback alike:
 * its `WxAuthGuard` runs the `'wecom'` strategy, which sends the browser to
 * WeCom (inside the WeCom client its authorize page, elsewhere its web login
 * page) and, when WeCom brings it back with `?code=&state=`, puts the app's
 * user on `req.user` (the handler runs then, unless redirects are set).
 * WeCom brings every login back to `wecom.callbackURL`, so one such route
 * serves its path (checked at start-up); others may start logins with options
 * of their own, which hold for those logins (the state carries `nonMembers` to
 * the callback), and which end on the callback's route.
 *
 * @publicApi
 */
export const WxWeComLoginRoute = (
  options: WxWeComLoginRouteOptions = {},
): MethodDecorator & ClassDecorator =>
  SetMetadata<string, WxLoginRoute>(WX_LOGIN_ROUTE, {
    strategy: WX_STRATEGIES.wecom,
    returnsHere: true,
    options,
  });
