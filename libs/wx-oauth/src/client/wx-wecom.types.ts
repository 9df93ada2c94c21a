/**
 * WeCom's answers under its own field names, so that WeCom's documentation
 * reads straight onto them.
 */

/**
 * `snsapi_base`: silent, the member's userid; `snsapi_privateinfo`: the member
 * consents to their details (a `user_ticket` for `/cgi-bin/auth/getuserdetail`).
 */
export type WxWeComScope = 'snsapi_base' | 'snsapi_privateinfo';

export const WX_WECOM_SCOPES: readonly WxWeComScope[] = ['snsapi_base', 'snsapi_privateinfo'];

/** `/cgi-bin/gettoken`: the corp token of one app (one secret), 7200 s. */
export interface WxWeComToken {
  access_token: string;
  expires_in: number;
}

/**
 * `/cgi-bin/auth/getuserinfo`: a member's `userid` (with a `user_ticket` after
 * consent to `snsapi_privateinfo`, when the member is in the app's visible
 * range), or a non-member's `openid`, with `external_userid` for the corp's
 * external contact.
 */
export interface WxWeComUserInfo {
  userid?: string;
  user_ticket?: string;
  /** The ticket's life, seconds (1800). */
  expires_in?: number;
  openid?: string;
  external_userid?: string;
}

/** `/cgi-bin/auth/getuserdetail`: the consenting member's sensitive fields, each only when the member has it. */
export interface WxWeComUserDetail {
  userid: string;
  /** '0' unknown, '1' male, '2' female. */
  gender?: string;
  avatar?: string;
  qr_code?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  address?: string;
}

/** `/cgi-bin/user/get`: a member as the app may see them; only what the login reads. */
export interface WxWeComMember {
  userid: string;
  name?: string;
}
