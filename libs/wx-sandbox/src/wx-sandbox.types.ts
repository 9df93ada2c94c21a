/** A test user of the sandbox, as WeChat would describe them to one app. */
export interface WxSandboxUser {
  /** Short handle used by tests and the consent page, e.g. `'alice'`. */
  key: string;
  /** Per (app, user). */
  openid: string;
  /** Per (open platform, user). */
  unionid: string;
  /** May contain any Unicode, emoji included. */
  nickname: string;
  /** `''` for a user without an avatar. */
  headimgurl: string;
  /** A "snapshot page" virtual user: the token response carries `is_snapshotuser: 1`. */
  snapshot?: boolean;
  /**
   * The mobile number bound to the account, without country code (`purePhoneNumber`), e.g.
   * `'13800138000'`; what a mini-program's getPhoneNumber button reveals. Left out, the
   * user has none.
   */
  phoneNumber?: string;
  /** The number's country code, digits only; set with `phoneNumber`. @default '86' */
  countryCode?: string;
}

/**
 * A user to seed the sandbox with; `openid`, `unionid` and `headimgurl` are derived when left
 * out. `highRisk` starts the person as one WeChat blocks from mini-program and native-app
 * login (40226);
 * `WxSandbox.setHighRisk` changes it later.
 */
export type WxSandboxUserSeed = Partial<WxSandboxUser> & {
  key: string;
  nickname: string;
  highRisk?: boolean;
};

/**
 * The back-channel endpoints a fault can target: `/sns` (where website and mobile apps
 * exchange their codes), the official account's `/cgi-bin`, the mini-program's
 * `/sns/jscode2session` and `/wxa/business/getuserphonenumber`, the multi-end app's
 * `/donut/code2verifyinfo`, the third-party platform's `/cgi-bin/component/api_*`,
 * `/sns/oauth2/component/*` (`component_access_token`, `component_refresh_token`) and
 * `/sns/component/jscode2session` (`component_jscode2session`); and WeCom's API.
 */
export type WxSandboxEndpoint =
  | 'access_token'
  | 'refresh_token'
  | 'auth'
  | 'userinfo'
  | 'stable_token'
  | 'qrcode_create'
  | 'user_info'
  | 'jscode2session'
  | 'getuserphonenumber'
  | 'code2verifyinfo'
  | 'api_start_push_ticket'
  | 'api_component_token'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_info'
  | 'component_access_token'
  | 'component_refresh_token'
  | 'component_jscode2session'
  // WeCom's, on qyapi.weixin.qq.com: /cgi-bin/gettoken, /cgi-bin/auth/getuserinfo,
  // /cgi-bin/auth/getuserdetail and /cgi-bin/user/get.
  | 'gettoken'
  | 'auth_getuserinfo'
  | 'auth_getuserdetail'
  | 'user_get';

/** A way for WeChat to misbehave, injected with `WxSandbox.inject`. */
export type WxSandboxFault =
  /** Answer normally, but only after `ms` (longer than the client's timeout = a hang). */
  | { type: 'delay'; ms: number }
  /** HTTP 500 with a short text body. */
  | { type: 'http500' }
  /** HTTP 200 with a `text/html` body that is not JSON. */
  | { type: 'nonJson' }
  /** Destroy the socket without answering. */
  | { type: 'reset' }
  /** HTTP 200 `{errcode, errmsg}`, e.g. -1 system error or 45011 quota. */
  | { type: 'errcode'; errcode: number; errmsg?: string };

/** Request counters per endpoint (authorize pages included) and TCP connections accepted. */
export interface WxSandboxStats {
  requests: Record<string, number>;
  connections: number;
}

export type WxSandboxScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

/** An official account's message-push settings (服务器配置), as set in its console. */
export interface WxSandboxMessagePush {
  /** The app's message endpoint (服务器地址), http(s). */
  url: string;
  /** The console's Token: signs every push. */
  token: string;
  /** The 43-char EncodingAESKey: set, the account is in safe mode (安全模式) and pushes are encrypted. */
  encodingAesKey?: string;
}

/** One delivery of a push: the app's HTTP status, or no answer in time, or a network error. */
export interface WxSandboxPushAttempt {
  status: number | 'timeout' | 'error';
  /** How long the attempt took. */
  ms: number;
}

/** A reply message the app answered the push with, e.g. `{ msgType: 'text', content: '登录成功' }`. */
export interface WxSandboxPushReply {
  msgType: string;
  /** A text reply's `Content`. */
  content?: string;
}

/** What a scan made WeChat push to the app, and how the app answered. */
export interface WxSandboxPushResult {
  /** `subscribe` for a user who followed through the scan, `SCAN` for one already following. */
  event: 'subscribe' | 'SCAN';
  /** `FromUserName`: the user's openid in the official account. */
  openid: string;
  /** `qrscene_<scene>` with `subscribe`, `<scene>` with `SCAN`. */
  eventKey: string;
  /** `CreateTime`, seconds by the sandbox clock; the same on every attempt. */
  createTime: number;
  /** In order, at most three; empty when the app has no push URL. */
  attempts: WxSandboxPushAttempt[];
  /** Whether an attempt got a 2xx answer in time. */
  answered: boolean;
  /** The answer's body, decrypted when it was an encrypted reply; `undefined` without an answer. */
  replyBody?: string;
  /** The reply message, when the app answered with one rather than `success` or an empty body. */
  reply?: WxSandboxPushReply;
  /**
   * Whether WeChat would accept the answer: `success`, an empty body or a reply message,
   * encrypted and correctly signed in safe mode. `undefined` without an answer.
   */
  replyValid?: boolean;
}

/**
 * Open data as a mini-program's APIs (`wx.getUserInfo`, `wx.getWeRunData`, ...) hand it to
 * the page for the server to decrypt: AES-128-CBC under the session_key, both parts base64.
 */
export interface WxSandboxEncryptedData {
  encryptedData: string;
  iv: string;
}

/** A user as the sandbox's mini-program stand-in lists them for a demo page. */
export interface WxSandboxMiniProgramUser {
  key: string;
  nickname: string;
  /** Whether the getPhoneNumber button has a number to reveal. */
  hasPhone: boolean;
}

/** A user as the sandbox's native app stand-in lists them for a demo page. */
export interface WxSandboxNativeAppUser {
  key: string;
  nickname: string;
}

/** What `WxSandbox.appLogin` is asked: the OpenSDK's `SendAuth.Req` in a mobile app. */
export interface WxSandboxAppLoginRequest {
  /** The test user who logs in, e.g. `'alice'`. */
  user: string;
  /** The mobile app. @default the one mobile app registered */
  appid?: string;
  /** The app's `state`, which WeChat hands back unchanged. */
  state?: string;
}

/** What the app gets back: the OpenSDK's `SendAuth.Resp` of an approved login. */
export interface WxSandboxAppLoginResponse {
  /** For `/sns/oauth2/access_token` with the mobile app's appid and secret; single use. */
  code: string;
  /** The request's `state`, unchanged; absent when it had none. */
  state?: string;
}

/** What `WxSandbox.identityCode` is asked: a multi-end app's `wx.weixinAppLogin`. */
export interface WxSandboxIdentityCodeRequest {
  /** The test user who logs in, e.g. `'alice'`. */
  user: string;
  /** The multi-end app. @default the one multi-end app registered */
  appid?: string;
}

/**
 * One request the sandbox answered, as its request log shows it (the `onRequest` option): what
 * a developer needs to see what their app sent, and nothing that grants anything: never the
 * query, the body, a secret, a code, a token or a state.
 */
export interface WxSandboxRequestRecord {
  method: string;
  /** The path without its query; a follow QR code's page as `/q/{id}`, the id being the code. */
  path: string;
  /**
   * The registered app the request was for: by its `appid` parameter (a platform's
   * `authorizer_appid`), or the app of its access token or QR code; for WeCom, the corp's corpid (its `corpid` or `appid` parameter, or its
   * token's corp). Left out when there is none, or the appid is not a registered app's.
   */
  appid?: string;
  /** The HTTP status answered, or `'reset'` for a connection a fault destroyed unanswered. */
  status: number | 'reset';
  /** WeChat's errcode, when the answer is one of its errors (never 0). */
  errcode?: number;
}

/** The scopes of WeCom's in-client authorize link. */
export type WxSandboxWeComScope = 'snsapi_base' | 'snsapi_privateinfo';

/** What `WxSandbox.weComCode` is asked: a WeCom login, approved, without a browser. */
export interface WxSandboxWeComCodeRequest {
  /** The member's or non-member's key, e.g. `'zhangsan'` or `'guest'`. */
  user: string;
  /** The in-client link's scope. @default 'snsapi_base' */
  scope?: WxSandboxWeComScope;
  /**
   * The member's answer to snsapi_privateinfo's consent page: declined, the code gives the
   * userid only. @default true
   */
  agree?: boolean;
  /** @default the first corp */
  corpid?: string;
  /** The app the code is issued through: only its token redeems it. @default the corp's first app */
  agentid?: string;
  /** The web login's code (a scan of its QR code) rather than the in-client link's: no user_ticket. @default false */
  web?: boolean;
}

/** What WeChat tells a third-party platform at its authorisation-event URL (`InfoType`). */
export type WxSandboxComponentInfoType =
  'component_verify_ticket' | 'authorized' | 'updateauthorized' | 'unauthorized';

/**
 * One push to a platform's authorisation-event URL and how the platform answered; never
 * the ticket, the authorisation code, a token or a key.
 */
export interface WxSandboxComponentEvent {
  infoType: WxSandboxComponentInfoType;
  /** `CreateTime`, seconds by the sandbox clock; the same on every attempt. */
  createTime: number;
  /** The merchant's account, for the authorisation events. */
  authorizerAppid?: string;
  /** In order, at most three; empty when the platform has no event URL. */
  attempts: WxSandboxPushAttempt[];
  /** Whether an attempt got a 2xx answer in time. */
  answered: boolean;
  /** The answer's body; `undefined` without an answer. */
  replyBody?: string;
  /** Whether the answer was `success`, as WeChat wants it; `undefined` without an answer. */
  replyValid?: boolean;
}

/** What `WxSandbox.authorizeComponent` is asked: a merchant authorising an account, no browser. */
export interface WxSandboxComponentAuthorizeRequest {
  /** The merchant's official account or mini-program. */
  authorizerAppid: string;
  /** The platform. @default the first one */
  componentAppid?: string;
  /**
   * The permission sets granted (func_info ids).
   * @default [1, 2, 3, 4] for an official account (4: web pages, which on-behalf login needs),
   *   [17, 18, 19] for a mini-program
   */
  funcInfo?: readonly number[];
}

/** What the platform's return URL gets (`auth_code`, `expires_in`), and how the event push went. */
export interface WxSandboxComponentAuthorization {
  /** For `api_query_auth`; good for `expiresIn` seconds. */
  authCode: string;
  expiresIn: number;
  /** The `authorized` (or `updateauthorized`) push, once answered or given up. */
  event: WxSandboxComponentEvent;
}
