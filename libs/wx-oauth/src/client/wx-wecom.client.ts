import { createHash } from 'node:crypto';
import type { AxiosInstance } from 'axios';
import { WxHttpClient } from './http.js';
import { WECOM_ERRCODES } from './wx-wecom.errcodes.js';
import type {
  WxWeComMember,
  WxWeComScope,
  WxWeComToken,
  WxWeComUserDetail,
  WxWeComUserInfo,
} from './wx-wecom.types.js';

/** A WeCom app's client settings, validated by the module's options. */
export interface WxWeComClientOptions {
  corpid: string;
  agentid: string;
  /** The app's Secret. Never logged, never put in an error. */
  secret: string;
  /** WeCom's API, `https://qyapi.weixin.qq.com`. */
  apiBaseUrl: string;
  /** Where the WeCom client opens the authorize page, `https://open.weixin.qq.com`. */
  openBaseUrl: string;
  /** The web login page's host, `https://login.work.weixin.qq.com`. */
  loginBaseUrl: string;
  timeout: number;
  retry: boolean;
  axios?: AxiosInstance;
}

/**
 * One WeCom (企业微信) app, a corp's self-built app (corpid, agentid, its
 * secret): the two login URLs, the corp token, and the code's exchange for the
 * member or non-member behind it, on WeChat's HTTP core with WeCom's errcodes.
 */
export class WxWeComClient {
  readonly corpid: string;
  readonly agentid: string;
  /** Which corp token this app's secret gets: the corpid and a digest of the secret, never the secret. */
  readonly tokenKey: string;
  // An ES private field: kept out of console.log, JSON and enumerable keys.
  readonly #secret: string;
  readonly #openBaseUrl: string;
  readonly #loginBaseUrl: string;
  readonly #http: WxHttpClient;

  constructor({
    corpid,
    agentid,
    secret,
    openBaseUrl,
    loginBaseUrl,
    ...http
  }: WxWeComClientOptions) {
    this.corpid = corpid;
    this.agentid = agentid;
    this.#secret = secret;
    this.tokenKey = `${corpid}:${createHash('sha256').update(secret).digest('base64url')}`;
    this.#openBaseUrl = openBaseUrl.replace(/\/+$/, '');
    this.#loginBaseUrl = loginBaseUrl.replace(/\/+$/, '');
    this.#http = new WxHttpClient({ ...http, errcodes: WECOM_ERRCODES });
  }

  /**
   * The authorize page inside the WeCom client, in WeCom's order, `agentid`
   * last and `#wechat_redirect`: without the agentid `snsapi_privateinfo` is
   * treated as `snsapi_base` and no `user_ticket` comes back.
   */
  getAuthorizeUrl(redirectUri: string, scope: WxWeComScope, state: string): string {
    return `${this.#openBaseUrl}/connect/oauth2/authorize?${toQuery([
      ['appid', this.corpid],
      ['redirect_uri', redirectUri],
      ['response_type', 'code'],
      ['scope', scope],
      ['state', state],
      ['agentid', this.agentid],
    ])}#wechat_redirect`;
  }

  /** The web login page (a QR code for the WeCom app, or the desktop client's quick login) of a self-built app. */
  getLoginUrl(redirectUri: string, state: string): string {
    return `${this.#loginBaseUrl}/wwlogin/sso/login?${toQuery([
      ['login_type', 'CorpApp'],
      ['appid', this.corpid],
      ['agentid', this.agentid],
      ['redirect_uri', redirectUri],
      ['state', state],
    ])}`;
  }

  /** The corp token of this app's secret. `WxWeComTokens` keeps it across instances: call that rather than this. */
  getToken(): Promise<WxWeComToken> {
    const params = { corpid: this.corpid, corpsecret: this.#secret };
    return this.#http.get<WxWeComToken>('/cgi-bin/gettoken', params, true);
  }

  /** Who a login's code names (`/cgi-bin/auth/getuserinfo`). Never retried: a code works once. */
  getUserInfo(token: string, code: string): Promise<WxWeComUserInfo> {
    return this.#http.get<WxWeComUserInfo>(
      '/cgi-bin/auth/getuserinfo',
      { access_token: token, code },
      false,
    );
  }

  /** A consenting member's details, by the `user_ticket` of their login. */
  getUserDetail(token: string, userTicket: string): Promise<WxWeComUserDetail> {
    return this.#http.post<WxWeComUserDetail>(
      '/cgi-bin/auth/getuserdetail',
      { access_token: token },
      { user_ticket: userTicket },
      true,
    );
  }

  /** A member as the app may see them (`/cgi-bin/user/get`): their name. */
  getMember(token: string, userid: string): Promise<WxWeComMember> {
    return this.#http.get<WxWeComMember>(
      '/cgi-bin/user/get',
      { access_token: token, userid },
      true,
    );
  }

  /** Closes pooled keep-alive connections of an instance made here. */
  close(): void {
    this.#http.close();
  }
}

function toQuery(params: [string, string][]): string {
  return params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
}
