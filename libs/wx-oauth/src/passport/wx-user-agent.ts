import type { WxScope } from '../client/wx-oauth.types.js';

/**
 * Whether a request comes from WeChat's own browser: its User-Agent says
 * `MicroMessenger`, on phones and in the desktop WeChat client alike. There the
 * official account's login opens; anywhere else only the website QR login does.
 *
 * @publicApi
 */
export function isWeChatBrowser(userAgent: string | undefined): boolean {
  return /MicroMessenger/i.test(userAgent ?? '');
}

/** The scope of a login for this browser: `inWeChat` inside WeChat, `snsapi_login` elsewhere. */
export function scopeForUserAgent(userAgent: string | undefined, inWeChat: WxScope): WxScope {
  return isWeChatBrowser(userAgent) ? inWeChat : 'snsapi_login';
}
