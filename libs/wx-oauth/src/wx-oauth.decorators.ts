import { Inject } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { WxScope } from './client/wx-oauth.types.js';
import { WX_OAUTH_OPTIONS } from './wx-oauth.constants.js';

/**
 * The scope a login route asks for, overriding the module's `scope`; e.g.
 * `snsapi_login` for the website QR page, `snsapi_userinfo` inside WeChat.
 * Also its own metadata key: `reflector.get(WxAuthScope, handler)`.
 *
 * @publicApi
 */
export const WxAuthScope = Reflector.createDecorator<WxScope>();

/** Injects the validated module options. @publicApi */
export const InjectWxOAuthOptions = () => Inject(WX_OAUTH_OPTIONS);
