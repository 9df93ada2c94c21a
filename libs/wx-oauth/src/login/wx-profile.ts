import { WxOAuthError } from '../client/wx-oauth.error.js';
import type {
  WxAccessToken,
  WxFollower,
  WxMiniProgramSession,
  WxPhoneInfo,
  WxUserByCode,
  WxUserInfo,
} from '../client/wx-oauth.types.js';

/** Which WeChat id becomes `profile.id`: openid (per app) or unionid (per open platform). */
export type WxIdField = 'openid' | 'unionid';

/**
 * The user as the strategy hands it to `validate` and, by default, to
 * `req.user`. It carries no token: tokens go to `validate` separately.
 * `via` tells the logins apart: `oauth` (WeChat's authorize page or QR login),
 * `follow` (the official account's follow-to-log-in QR code) or `miniProgram`
 * (a mini-program's `wx.login()` code).
 *
 * @publicApi
 */
export type WxProfile = WxOAuthProfile | WxFollowProfile | WxMiniProgramProfile;

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

/** The id a profile goes by; `app_config` when `idField` asks for a unionid WeChat did not send. */
export function profileId(
  idField: WxIdField,
  openid: string,
  unionid: string | undefined,
  why = '',
): string {
  const id = idField === 'unionid' ? unionid : openid;
  if (!id) {
    throw new WxOAuthError(
      'app_config',
      `idField is 'unionid' but WeChat sent no unionid: the app is not bound to an Open Platform account${why}`,
    );
  }
  return id;
}

export function toWxProfile(
  { token, userinfo }: WxUserByCode,
  idField: WxIdField,
  appid: string,
): WxOAuthProfile {
  const unionid = userinfo?.unionid ?? token.unionid;
  const id = profileId(idField, token.openid, unionid, ', or the scope is snsapi_base');
  const { access_token: _access, refresh_token: _refresh, ...tokenFields } = token;
  return {
    provider: 'wechat',
    via: 'oauth',
    appid,
    id,
    openid: token.openid,
    ...(unionid ? { unionid } : {}),
    ...(userinfo ? { nickname: userinfo.nickname, headimgurl: userinfo.headimgurl } : {}),
    scope: String(token.scope ?? '')
      .split(',')
      .filter(Boolean),
    isSnapshotUser: token.is_snapshotuser === 1,
    raw: { token: tokenFields, ...(userinfo ? { userinfo } : {}) },
  };
}
