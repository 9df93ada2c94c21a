import { Reflector } from '@nestjs/core';
import type { WxScope } from '../../client/wx-oauth.types.js';

/**
 * The scope a login route asks for, overriding the module's `scope`; e.g.
 * `snsapi_login` for the website QR page, `snsapi_userinfo` inside WeChat.
 * Also its own metadata key: `reflector.get(WxAuthScope, handler)`.
 *
 * @publicApi
 */
export const WxAuthScope = Reflector.createDecorator<WxScope>();
