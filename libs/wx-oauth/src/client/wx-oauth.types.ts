/**
 * Result shapes keep WeChat's own field names, so WeChat's documentation reads
 * straight onto them.
 */

/** `snsapi_base`/`snsapi_userinfo`: official-account pages; `snsapi_login`: website QR login. */
export type WxScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

/** Language of the region fields in `/sns/userinfo`. */
export type WxLang = 'zh_CN' | 'zh_TW' | 'en';

export const WX_SCOPES: readonly WxScope[] = ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'];
export const WX_LANGS: readonly WxLang[] = ['zh_CN', 'zh_TW', 'en'];

/** `/sns/oauth2/access_token` and `/sns/oauth2/refresh_token`. */
export interface WxAccessToken {
  access_token: string;
  /** Seconds, 7200 in practice. */
  expires_in: number;
  refresh_token: string;
  openid: string;
  /** Comma-separated scopes, e.g. `snsapi_userinfo`. */
  scope: string;
  /** Only when the app is bound to an open-platform account, and never for `snsapi_base`. */
  unionid?: string;
  /** `1` for a "snapshot page" virtual user, whose ids and profile are not real. */
  is_snapshotuser?: 1;
}

/** `/sns/userinfo`. Since 2021 `sex` is 0 and the region fields are empty. */
export interface WxUserInfo {
  openid: string;
  nickname: string;
  sex: number;
  province: string;
  city: string;
  country: string;
  /** Empty when the user has no avatar; the URL dies when the avatar changes. */
  headimgurl: string;
  privilege: string[];
  unionid?: string;
  language?: string;
}

/** Extra parameters of the authorize URL. */
export interface WxAuthorizeParams {
  /** CSRF state, echoed back on the callback: `[A-Za-z0-9]`, at most 128 bytes. */
  state?: string;
  /** Force the consent popup even where WeChat would authorise silently. */
  forcePopup?: boolean;
  /** Force the snapshot page (for testing how the app treats snapshot users). */
  forceSnapShot?: boolean;
}

/** What `getUserByCode` returns: the token, and the profile when the scope allows one. */
export interface WxUserByCode {
  token: WxAccessToken;
  userinfo?: WxUserInfo;
}
