/**
 * What went wrong, for a program to branch on. The HTTP status a guard answers
 * with follows from the kind (see `wxErrorStatus`).
 */
export type WxOAuthErrorKind =
  /** The caller passed something WeChat would refuse (bad redirect URI, scope, state). */
  | 'invalid_request'
  /** The login asks for a flow whose app the site has not registered (the desktop QR login without a website app). */
  | 'flow_unavailable'
  /** With tenants: no tenant is served where the request came, or the resolver knows none by its id. */
  | 'unknown_tenant'
  /** The user refused, or the callback came back without a code. */
  | 'denied'
  /** The CSRF state is missing, forged, expired or already used. */
  | 'invalid_state'
  /** A message push that is unsigned, forged, stale or replayed: refused, nothing done. */
  | 'invalid_push'
  /** A front end's handoff code is missing, unknown, expired, used or another origin's: log in again. */
  | 'invalid_handoff'
  /** The code is unknown, expired, used or belongs to another app: restart the login. */
  | 'invalid_code'
  /** The access token is unknown, expired, revoked or not this openid's. */
  | 'invalid_token'
  /** The server holds no `session_key` of this mini-program user, or their data does not check out with it: `wx.login()` again. */
  | 'invalid_session'
  /** WeChat's risk control refuses this user (40226, a high-risk account). */
  | 'user_blocked'
  /** The refresh token is unknown or past its 30 days: the user must authorise again. */
  | 'refresh_expired'
  /** The token's scope does not allow the call (e.g. userinfo with `snsapi_base`). */
  | 'unauthorized_scope'
  /** WeChat refuses the app itself: wrong appid or secret, missing parameters. */
  | 'app_config'
  /** WeChat's transient "system error" (-1). */
  | 'busy'
  /** An API quota is spent: per minute (45011) or per day (45009). */
  | 'quota'
  /** Any other errcode. */
  | 'upstream'
  /** WeChat answered something that is not a WeChat answer (HTTP 5xx, not JSON). */
  | 'bad_response'
  /** WeChat could not be reached, or the connection broke. */
  | 'network'
  /** WeChat did not answer in time. */
  | 'timeout'
  /** The token store (e.g. Redis) failed or did not answer in time. */
  | 'store_unavailable'
  /** With tenants: the app's tenant resolver threw (its database down). */
  | 'tenant_unavailable'
  /** One client asked for more than its share (a native app's unspent login states): wait, or finish a login. */
  | 'rate_limited'
  /** The WeChat account is already another user's (`WxIdentities.link`): unlink it there first. */
  | 'identity_taken'
  /** A WeCom login by someone who is not a member of the corp, on a route that refuses non-members. */
  | 'not_member'
  /** The third-party platform has no `component_verify_ticket` yet (or WeChat calls it expired): check its authorisation-event URL, Token and key. */
  | 'component_unavailable'
  /** A merchant's account is no longer authorised to the third-party platform (`unauthorized`): it must authorise again. */
  | 'authorizer_revoked';

export interface WxOAuthErrorDetails {
  errcode?: number;
  errmsg?: string;
  /** WeChat's request id, from the `rid:` suffix of errmsg; quote it to WeChat support. */
  rid?: string;
  /** The `/sns` path that failed. */
  endpoint?: string;
}

/**
 * A service's errcodes: what its messages call it, the kind of each code, and
 * what to do about the codes whose errmsg does not say it. WeChat's are
 * `WECHAT_ERRCODES`; WeCom's live beside its client.
 */
export interface WxErrcodes {
  service: string;
  kinds: Record<number, WxOAuthErrorKind>;
  /** The hint for `errcode`, given the raw errmsg (WeCom's names the caller's IP). */
  hint(errcode: number, rawErrmsg: string): string | undefined;
}

/** The one error type of this library. It never carries the app secret or a token. */
export class WxOAuthError extends Error {
  override readonly name = 'WxOAuthError';
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly rid?: string;
  readonly endpoint?: string;

  constructor(
    readonly kind: WxOAuthErrorKind,
    message: string,
    details: WxOAuthErrorDetails = {},
  ) {
    super(message);
    this.errcode = details.errcode;
    this.errmsg = details.errmsg;
    this.rid = details.rid;
    this.endpoint = details.endpoint;
  }

  /** The HTTP status this failure answers at the edge: 4xx for the caller's fault, 502/503/504 for WeChat's, the store's or the tenant resolver's. */
  get status(): number {
    return wxErrorStatus(this.kind);
  }

  /** Builds the error for a `{errcode, errmsg}` body, by WeChat's errcodes unless `errcodes` says whose. */
  static fromErrcode(
    errcode: number,
    rawErrmsg: string,
    endpoint: string,
    errcodes: WxErrcodes = WECHAT_ERRCODES,
  ): WxOAuthError {
    const { errmsg, rid } = splitRid(rawErrmsg);
    const kind = errcodes.kinds[errcode] ?? 'upstream';
    const hinted = errcodes.hint(errcode, rawErrmsg);
    const hint = hinted ? ` (${hinted})` : '';
    const { service } = errcodes;
    return new WxOAuthError(kind, `${service} ${endpoint} failed: ${errcode} ${errmsg}${hint}`, {
      errcode,
      errmsg,
      rid,
      endpoint,
    });
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      errcode: this.errcode,
      errmsg: this.errmsg,
      rid: this.rid,
    };
  }
}

/** The HTTP status that fits a kind at the edge: 4xx for the caller, 502/504 for WeChat. */
export function wxErrorStatus(kind: WxOAuthErrorKind): number {
  switch (kind) {
    case 'invalid_request':
    case 'flow_unavailable':
      return 400;
    case 'denied':
    case 'invalid_state':
    case 'invalid_handoff':
    case 'invalid_push':
    case 'invalid_code':
    case 'invalid_token':
    case 'invalid_session':
    case 'refresh_expired':
      return 401;
    case 'unauthorized_scope':
    case 'user_blocked':
    case 'not_member':
    case 'authorizer_revoked':
      return 403;
    case 'unknown_tenant':
      return 404;
    case 'identity_taken':
      return 409;
    case 'rate_limited':
      return 429;
    case 'timeout':
      return 504;
    case 'store_unavailable':
    case 'tenant_unavailable':
    case 'component_unavailable':
      return 503;
    default:
      return 502;
  }
}

/**
 * The user's saved refresh token is gone, past its 30 days or revoked: send them
 * to log in again. Its kind is 'refresh_expired'.
 *
 * @publicApi
 */
export class WxReauthorizationRequiredError extends WxOAuthError {
  constructor(
    readonly openid: string,
    cause?: WxOAuthError,
  ) {
    super(
      'refresh_expired',
      `The WeChat user ${openid} must log in again: ${cause ? cause.message : 'no saved token'}`,
      {
        errcode: cause?.errcode,
        errmsg: cause?.errmsg,
        rid: cause?.rid,
        endpoint: cause?.endpoint,
      },
    );
  }
}

// Codes from WeChat's documentation; see wechat-protocol.md in the team notes.
const ERRCODE_KINDS: Record<number, WxOAuthErrorKind> = {
  [-1]: 'busy',
  40001: 'invalid_token',
  40002: 'app_config',
  40003: 'invalid_token',
  40013: 'app_config',
  40014: 'invalid_token',
  40029: 'invalid_code',
  40030: 'refresh_expired',
  40125: 'app_config',
  40163: 'invalid_code',
  40164: 'app_config',
  40226: 'user_blocked',
  41001: 'invalid_token',
  41002: 'app_config',
  41003: 'refresh_expired',
  41004: 'app_config',
  41008: 'invalid_code',
  41009: 'invalid_token',
  42001: 'invalid_token',
  42002: 'refresh_expired',
  42003: 'invalid_code',
  42007: 'invalid_token',
  45009: 'quota',
  45011: 'quota',
  48001: 'unauthorized_scope',
  50001: 'unauthorized_scope',
  50002: 'unauthorized_scope',
  // The third-party platform's /cgi-bin/component endpoints.
  61003: 'authorizer_revoked',
  61004: 'app_config',
  61005: 'component_unavailable',
  61006: 'component_unavailable',
  61009: 'invalid_code',
  61010: 'invalid_code',
  61011: 'app_config',
  61023: 'authorizer_revoked',
  // The multi-end app's /donut/code2verifyinfo.
  10001000: 'invalid_code',
  10001001: 'invalid_code',
  10001002: 'app_config',
  10001003: 'app_config',
  10001004: 'app_config',
  10001005: 'app_config',
};

/** What to do about the errcodes whose errmsg does not say it. */
const ERRCODE_HINTS: Record<number, string> = {
  40164:
    "this server's outbound IP is not in the app's IP allow-list (IP白名单): add it in the account's console",
  40226: "WeChat's risk control flags this user as high-risk: the login cannot go on",
  61003:
    'the account is not (or no longer) authorised to the third-party platform: the merchant must authorise it again',
  61004:
    "this server's outbound IP is not in the third-party platform's IP allow-list: add it in the platform's console",
  61005:
    "the platform's component_verify_ticket expired: WeChat pushes a new one to the authorisation-event URL",
  61006: "the platform's component_verify_ticket is not the newest WeChat pushed",
  61023:
    "the merchant's authorizer_refresh_token is not its current one: persist the one each authorisation gives (completeAuthorization), or the merchant authorises again",
  45009: "the app's daily quota for this API is spent: it resets at midnight (Beijing time)",
  10001003: "the multi-end app's secret is wrong: it is not the mini-program's or the mobile app's",
  10001005: 'the multi-end app has not enabled identity management (身份管理) in its console',
};

/** WeChat's errcodes. */
export const WECHAT_ERRCODES: WxErrcodes = {
  service: 'WeChat',
  kinds: ERRCODE_KINDS,
  hint: (errcode) => ERRCODE_HINTS[errcode],
};

/**
 * errmsg carries `, rid: …` (or the older `, hints: [ req_id: … ]`; WeCom's
 * `, hint: [ … ], from ip: …, more info at …`): never compare it whole.
 */
function splitRid(errmsg: string): { errmsg: string; rid?: string } {
  const match =
    /^(.*?)(?:,\s*rid:\s*([\w-]+)|,\s*hints:\s*\[\s*req_id:\s*([\w-]+)\s*\]|,\s*hint:\s*\[\s*([\w-]+)\s*\].*)\s*$/s.exec(
      errmsg,
    );
  if (!match) return { errmsg };
  return { errmsg: match[1], rid: match[2] ?? match[3] ?? match[4] };
}
