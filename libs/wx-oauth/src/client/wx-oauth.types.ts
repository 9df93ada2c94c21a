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

/** `/cgi-bin/stable_token`: the app's own access token (client credential), not a user's. */
export interface WxAppAccessToken {
  access_token: string;
  /** Seconds left, at most 7200. */
  expires_in: number;
}

/** `/cgi-bin/qrcode/create`: a temporary parametric QR code of an official account. */
export interface WxQrCode {
  /** Shown at `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=` (URL-encoded). */
  ticket: string;
  expire_seconds: number;
  /** The text the QR code encodes, for a site that renders it itself. */
  url: string;
}

/** `/cgi-bin/user/info`: an official account's follower. No nickname or avatar since 2021. */
export interface WxFollower {
  /** 1 for a follower; 0 leaves only `openid`. */
  subscribe: 0 | 1;
  openid: string;
  /** When the account is bound to an Open Platform account. */
  unionid?: string;
  language?: string;
  subscribe_time?: number;
  /** How they followed, e.g. `ADD_SCENE_QR_CODE`. */
  subscribe_scene?: string;
  qr_scene_str?: string;
}

/**
 * `/donut/code2verifyinfo`: who a multi-end app's login code names. A WeChat
 * login (`login_info.type` `weixinApp`) has `openapp_info`, the mobile app's
 * openid; other ways of logging in (phone, Apple) have their own parts.
 */
export interface WxVerifyInfo {
  login_info?: { type?: string; login_time?: number };
  user_info?: {
    /** The multi-end app's own user id. */
    user_id?: string;
    openapp_info?: {
      /** The mobile app the openid is of. */
      appid: string;
      openid: string;
      unionid?: string;
      nickname?: string;
      headimgurl?: string;
    };
    [other: string]: unknown;
  };
}

/**
 * `/sns/jscode2session`: a mini-program user's login. `session_key` is the
 * user's key for the data the mini-program sends: keep it on the server.
 */
export interface WxMiniProgramSession {
  openid: string;
  session_key: string;
  /** When the mini-program is bound to an Open Platform account. */
  unionid?: string;
}

/** `/wxa/business/getuserphonenumber`: the number a user shared with the mini-program's button. */
export interface WxPhoneInfo {
  /** With the country code for a number outside mainland China, e.g. `+1 2025550123`. */
  phoneNumber: string;
  /** Without the country code. */
  purePhoneNumber: string;
  countryCode: string;
  /** Which app WeChat gave the number to, and when (seconds). */
  watermark: { appid: string; timestamp: number };
}

/** `/cgi-bin/component/api_component_token`: the third-party platform's own token. */
export interface WxComponentAccessToken {
  component_access_token: string;
  /** Seconds, 7200. */
  expires_in: number;
}

/** `/cgi-bin/component/api_create_preauthcode`: the code of one authorisation link. */
export interface WxPreAuthCode {
  pre_auth_code: string;
  /** Seconds, 1800. */
  expires_in: number;
}

/** `/cgi-bin/component/api_query_auth`'s `authorization_info`: what a merchant authorised the platform to do. */
export interface WxAuthorizationInfo {
  authorizer_appid: string;
  authorizer_access_token: string;
  expires_in: number;
  /** The only way back to the merchant's token: persist it. */
  authorizer_refresh_token: string;
  /** The permission sets (权限集) granted, by id. */
  func_info?: { funcscope_category?: { id?: number } }[];
}

/** Which accounts a merchant may pick on the authorisation page: 1 official accounts, 2 mini-programs, 3 both. */
export type WxComponentAuthType = 1 | 2 | 3;
