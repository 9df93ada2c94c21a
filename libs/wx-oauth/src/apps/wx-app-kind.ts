import type { WxScope } from '../client/wx-oauth.types.js';

/**
 * Which of a site's WeChat apps: the official account (公众号/服务号) logs in
 * inside WeChat, the Open Platform website app (网站应用) on a computer, the
 * mini-program (小程序) in its own client, through `wx.login()`.
 *
 * @publicApi
 */
export type WxAppKind = 'officialAccount' | 'website' | 'miniProgram';

export const WX_APP_KINDS: readonly WxAppKind[] = ['officialAccount', 'website', 'miniProgram'];

/** The kinds a browser logs in with, which the one-`appid` registration stands for. */
export const WX_WEB_APP_KINDS: readonly WxAppKind[] = ['officialAccount', 'website'];

/** What a message calls each kind. */
export const WX_APP_LABELS: Record<WxAppKind, string> = {
  officialAccount: 'official account',
  website: 'website app',
  miniProgram: 'mini-program',
};

/** The app a scope needs: `snsapi_login` is the website app's, the others the official account's. */
export function kindForScope(scope: WxScope): WxAppKind {
  return scope === 'snsapi_login' ? 'website' : 'officialAccount';
}
