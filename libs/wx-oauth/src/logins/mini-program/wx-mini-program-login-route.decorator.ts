import { SetMetadata } from '@nestjs/common';
import { WX_LOGIN_ROUTE, WX_STRATEGIES, type WxLoginRoute } from '../../wx-oauth.constants.js';

/**
 * Marks a `POST` route as the mini-program login: its `WxAuthGuard` runs the
 * `'wechat-mini-program'` strategy, which takes the JSON body
 * `{ code, phoneCode? }` (`wx.login()`'s code, and optionally the
 * `getPhoneNumber` button's) and puts the app's user on `req.user`. It answers
 * no redirect and starts no session (a mini-program keeps no cookies): the
 * handler answers the app's own token.
 *
 * @publicApi
 */
export const WxMiniProgramLoginRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata<string, WxLoginRoute>(WX_LOGIN_ROUTE, {
    strategy: WX_STRATEGIES.miniProgram,
    api: true,
  });
