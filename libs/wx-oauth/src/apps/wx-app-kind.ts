import type { WxScope } from '../client/wx-oauth.types.js';

/**
 * Which of a site's WeChat apps: the official account (公众号/服务号) logs in
 * inside WeChat, the Open Platform website app (网站应用) on a computer.
 *
 * @publicApi
 */
export type WxAppKind = 'officialAccount' | 'website';

export const WX_APP_KINDS: readonly WxAppKind[] = ['officialAccount', 'website'];

/** What a message calls each kind. */
export const WX_APP_LABELS: Record<WxAppKind, string> = {
  officialAccount: 'official account',
  website: 'website app',
};

/** The app a scope needs: `snsapi_login` is the website app's, the others the official account's. */
export function kindForScope(scope: WxScope): WxAppKind {
  return scope === 'snsapi_login' ? 'website' : 'officialAccount';
}
