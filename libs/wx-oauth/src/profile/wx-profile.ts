import { WxOAuthError } from '../client/wx-oauth.error.js';
import type {
  WxAccessToken,
  WxFollower,
  WxMiniProgramSession,
  WxPhoneInfo,
  WxUserByCode,
  WxUserInfo,
  WxVerifyInfo,
} from '../client/wx-oauth.types.js';

import type { WxIdField } from '../options/wx-oauth-module-options.interface.js';
import type { WxWeComProfile } from './wx-wecom-profile.js';

/**
 * The user as every login kind hands it to the app's `WxValidator` and, by
 * default, to `req.user`: a union, told apart by `via` (`oauth`: WeChat's
 * authorize page or QR login; `follow`: the official account's follow-to-log-in
 * QR code; `miniProgram`: a mini-program's `wx.login()` code; `mobileApp`: a
 * native app's OpenSDK code, or a multi-end app's; `wecom`: a WeCom login, a
 * corp's member or not, which has no openid). Narrow it before reading a
 * kind's own fields: `if (profile.via === 'miniProgram') profile.phoneNumber`,
 * `if (profile.provider === 'wechat') profile.openid`. It carries no token:
 * tokens go to `validate` separately.
 *
 * @publicApi
 */
export type WxProfile =
  WxOAuthProfile | WxFollowProfile | WxMiniProgramProfile | WxMobileAppProfile | WxWeComProfile;

/**
 * A WeChat login's profile: every kind but WeCom's, each with WeChat's openid.
 *
 * @publicApi
 */
export type WxWeChatProfile = Exclude<WxProfile, WxWeComProfile>;

/** What every login's profile has. */
interface WxProfileBase {
  provider: 'wechat';
  /** The app the user logged in through; `openid` is this app's. */
  appid: string;
  /** openid, or unionid when `idField` is 'unionid'. */
  id: string;
  openid: string;
  unionid?: string;
  nickname?: string;
  headimgurl?: string;
  /** The granted scopes, e.g. ['snsapi_userinfo']; none for a follow login. */
  scope: string[];
  /** A snapshot-page virtual user: its ids and profile are not the real user's. */
  isSnapshotUser: boolean;
}

/**
 * A login through WeChat's OAuth2 (inside WeChat, or the website QR login).
 *
 * @publicApi
 */
export interface WxOAuthProfile extends WxProfileBase {
  via: 'oauth';
  /** WeChat's own fields, tokens left out. */
  raw: {
    token: Omit<WxAccessToken, 'access_token' | 'refresh_token'>;
    userinfo?: WxUserInfo;
  };
}

/**
 * A login by scanning the official account's QR code (`WxFollowLogin`): the
 * account's openid, no nickname or avatar (WeChat gives none since 2021).
 *
 * @publicApi
 */
export interface WxFollowProfile extends WxProfileBase {
  via: 'follow';
  /** WeChat's `/cgi-bin/user/info` answer. */
  raw: { follower: WxFollower };
}

/**
 * A login from a mini-program's `wx.login()` code (`@WxMiniProgramLoginRoute()`):
 * the mini-program's openid, the unionid when it is bound to the Open Platform
 * account, and the phone number when the login sent a `phoneCode`. Never the
 * `session_key`: the server keeps it (`WxMiniProgramSessions`).
 *
 * @publicApi
 */
export interface WxMiniProgramProfile extends WxProfileBase {
  via: 'miniProgram';
  /** The number the user shared (`getPhoneNumber`), with the country code outside mainland China. */
  phoneNumber?: string;
  countryCode?: string;
  /** WeChat's answers, the `session_key` left out. */
  raw: {
    session: Omit<WxMiniProgramSession, 'session_key'>;
    phone?: WxPhoneInfo;
  };
}

/**
 * A login from a native app (`@WxAppLoginRoute()`): the mobile app's openid,
 * the unionid when it is bound to the Open Platform account, and the user's
 * nickname and avatar. Its tokens are saved for `WxTokenService` under `appid`;
 * a multi-end app's login (`raw.verifyInfo`) has none.
 *
 * @publicApi
 */
export interface WxMobileAppProfile extends WxProfileBase {
  via: 'mobileApp';
  /** WeChat's own answers, tokens left out: the exchange and userinfo, or a multi-end app's `code2verifyinfo`. */
  raw: {
    token?: Omit<WxAccessToken, 'access_token' | 'refresh_token'>;
    userinfo?: WxUserInfo;
    verifyInfo?: WxVerifyInfo;
  };
}

/** The id a profile goes by; `app_config` when `idField` asks for a unionid WeChat did not send. */
function profileId(idField: WxIdField, openid: string, unionid?: string, why = ''): string {
  const id = idField === 'unionid' ? unionid : openid;
  if (!id) {
    throw new WxOAuthError(
      'app_config',
      `idField is 'unionid' but WeChat sent no unionid: the app is not bound to an Open Platform account${why}`,
    );
  }
  return id;
}

/** What every kind's profile has, from the app, the user's ids and the granted scopes. */
function base(
  idField: WxIdField,
  appid: string,
  openid: string,
  unionid: string | undefined,
  why?: string,
): Omit<WxProfileBase, 'scope' | 'isSnapshotUser'> {
  return {
    provider: 'wechat',
    appid,
    id: profileId(idField, openid, unionid, why),
    openid,
    ...(unionid ? { unionid } : {}),
  };
}

/** The profile of an OAuth2 login, from the code's exchange (and userinfo, when the scope allows). */
export function oauthProfile(
  answer: WxUserByCode,
  idField: WxIdField,
  appid: string,
): WxOAuthProfile {
  return {
    ...codeExchangeParts(answer, idField, appid, ', or the scope is snsapi_base'),
    via: 'oauth',
    isSnapshotUser: answer.token.is_snapshotuser === 1,
  };
}

/** What a profile takes from an OAuth2 code exchange (a browser's or a native app's): ids, scopes, userinfo, tokens left out. */
function codeExchangeParts(
  { token, userinfo }: WxUserByCode,
  idField: WxIdField,
  appid: string,
  why?: string,
) {
  const { access_token: _access, refresh_token: _refresh, ...tokenFields } = token;
  return {
    ...base(idField, appid, token.openid, userinfo?.unionid ?? token.unionid, why),
    ...(userinfo ? { nickname: userinfo.nickname, headimgurl: userinfo.headimgurl } : {}),
    scope: String(token.scope ?? '')
      .split(',')
      .filter(Boolean),
    raw: { token: tokenFields, ...(userinfo ? { userinfo } : {}) },
  };
}

/** The profile of a follow login, from the follower's `/cgi-bin/user/info`. */
export function followProfile(
  follower: WxFollower,
  idField: WxIdField,
  appid: string,
  openid: string,
): WxFollowProfile {
  return {
    ...base(idField, appid, openid, follower.unionid),
    via: 'follow',
    scope: [],
    isSnapshotUser: false,
    raw: { follower },
  };
}

/** The profile of a mini-program login, from `jscode2session` (its `session_key` left out) and the phone number. */
export function miniProgramProfile(
  { openid, unionid }: Pick<WxMiniProgramSession, 'openid' | 'unionid'>,
  phone: WxPhoneInfo | undefined,
  idField: WxIdField,
  appid: string,
): WxMiniProgramProfile {
  return {
    ...base(idField, appid, openid, unionid),
    via: 'miniProgram',
    ...(phone ? { phoneNumber: phone.phoneNumber, countryCode: phone.countryCode } : {}),
    scope: [],
    isSnapshotUser: false,
    raw: { session: { openid, ...(unionid ? { unionid } : {}) }, ...(phone ? { phone } : {}) },
  };
}

/** The profile of a native app's login, from the mobile app's code exchange and userinfo. */
export function mobileAppProfile(
  answer: WxUserByCode,
  idField: WxIdField,
  appid: string,
): WxMobileAppProfile {
  return { ...codeExchangeParts(answer, idField, appid), via: 'mobileApp', isSnapshotUser: false };
}

/** The profile of a multi-end app's WeChat login, from `code2verifyinfo`'s `openapp_info`. */
export function multiEndAppProfile(
  verifyInfo: WxVerifyInfo,
  openapp: NonNullable<NonNullable<WxVerifyInfo['user_info']>['openapp_info']>,
  idField: WxIdField,
): WxMobileAppProfile {
  const { appid, openid, unionid, nickname, headimgurl } = openapp;
  return {
    ...base(idField, appid, openid, unionid || undefined),
    via: 'mobileApp',
    ...(nickname ? { nickname } : {}),
    ...(headimgurl ? { headimgurl } : {}),
    scope: [],
    isSnapshotUser: false,
    raw: { verifyInfo },
  };
}
