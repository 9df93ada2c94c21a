import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { WxAccessToken } from '../client/wx-oauth.types.js';
import type { WxProfile } from './wx-profile.js';

/** @internal The metadata key that marks the app's validator. */
export const WX_VALIDATOR = 'wx_oauth:validator';

/**
 * The app's one step from WeChat's user to its own, for every login kind
 * (OAuth2, follow, mini-program): a provider of the app, with its services
 * injected, in any module. What `validate` answers becomes `req.user`; null
 * refuses the login (401). Without one, `req.user` is the profile.
 *
 * ```ts
 * @WxValidator()
 * export class WeChatUsers implements WxValidator {
 *   constructor(private readonly users: UsersService) {}
 *   validate(profile: WxProfile) { return this.users.upsert(profile); }
 * }
 * ```
 *
 * @publicApi
 */
export interface WxValidator {
  /** `tokens` are the user's OAuth2 tokens (a browser's or a native app's); a follow, mini-program or multi-end login has none. */
  validate(profile: WxProfile, tokens: WxAccessToken | undefined): unknown;
}

/**
 * Marks the app's `WxValidator` (and makes it `@Injectable()`); list it in a
 * module's `providers` as any provider.
 *
 * @publicApi
 */
export const WxValidator = (): ClassDecorator =>
  applyDecorators(Injectable(), SetMetadata(WX_VALIDATOR, true));
