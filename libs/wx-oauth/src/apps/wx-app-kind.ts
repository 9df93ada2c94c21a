import type { WxScope } from '../client/wx-oauth.types.js';

/**
 * Which of a site's WeChat apps: the official account (公众号/服务号) logs in
 * inside WeChat, the Open Platform website app (网站应用) on a computer, the
 * mini-program (小程序) in its own client, through `wx.login()`, the Open
 * Platform mobile app (移动应用) in a native app through WeChat's OpenSDK, and
 * the multi-end app (多端应用) through its `wx.weixinAppLogin()`.
 *
 * @publicApi
 */
export type WxAppKind = 'officialAccount' | 'website' | 'miniProgram' | 'mobileApp' | 'multiEndApp';

export const WX_APP_KINDS: readonly WxAppKind[] = [
  'officialAccount',
  'website',
  'miniProgram',
  'mobileApp',
  'multiEndApp',
];

/** The kinds a browser logs in with, which the one-`appid` registration stands for. */
export const WX_WEB_APP_KINDS: readonly WxAppKind[] = ['officialAccount', 'website'];

/** What a message calls each kind. */
export const WX_APP_LABELS: Record<WxAppKind, string> = {
  officialAccount: 'official account',
  website: 'website app',
  miniProgram: 'mini-program',
  mobileApp: 'mobile app',
  multiEndApp: 'multi-end app',
};

/** The app a scope needs: `snsapi_login` is the website app's, the others the official account's. */
export function kindForScope(scope: WxScope): WxAppKind {
  return scope === 'snsapi_login' ? 'website' : 'officialAccount';
}
