import { Inject, SetMetadata } from '@nestjs/common';
import type { WxScope } from './client/wx-oauth.types.js';
import { WX_AUTH_SCOPE, WX_OAUTH_OPTIONS } from './wx-oauth.constants.js';

/**
 * The scope a login route asks for, overriding the module's `scope`; e.g.
 * `snsapi_login` for the website QR page, `snsapi_userinfo` inside WeChat.
 *
 * @publicApi
 */
export const WxAuthScope = (scope: WxScope) => SetMetadata(WX_AUTH_SCOPE, scope);

/** Injects the validated module options. @publicApi */
export const InjectWxOAuthOptions = () => Inject(WX_OAUTH_OPTIONS);
