import { buildWxAuthorizeUrl } from './authorize-url.js';
import { WxHttpClient } from './http.js';
import {
  resolveClientOptions,
  type WxClientSettings,
  type WXOAuthOptions,
} from './wx-oauth-client.options.js';
import { WxOAuthError } from './wx-oauth.error.js';
import type {
  WxAccessToken,
  WxAppAccessToken,
  WxAuthorizeParams,
  WxFollower,
  WxLang,
  WxMiniProgramSession,
  WxPhoneInfo,
  WxQrCode,
  WxScope,
  WxUserByCode,
  WxUserInfo,
  WxVerifyInfo,
} from './wx-oauth.types.js';

/**
 * WeChat's web OAuth2 API: the authorize URL, the code exchange, refresh,
 * token check and userinfo. Framework-free; `WxOAuthModule` provides one.
 *
 * @publicApi
 */
export class WXOAuth {
  readonly appid: string;
  // An ES private field: kept out of console.log, JSON and enumerable keys.
  readonly #secret: string;
  readonly #options: Omit<WxClientSettings, 'secret'>;
  readonly #http: WxHttpClient;

  constructor(options: WXOAuthOptions) {
    const { secret, ...rest } = resolveClientOptions(options);
    this.appid = rest.appid;
    this.#secret = secret;
    this.#options = rest;
    this.#http = new WxHttpClient(rest);
  }

  /**
   * The URL to send the browser to. `snsapi_base` (silent, openid only) and
   * `snsapi_userinfo` (consent, profile) open inside WeChat; `snsapi_login` is
   * the website QR login.
   */
  getAuthorizeUrl(
    redirectUri: string,
    scope: WxScope = 'snsapi_base',
    params?: WxAuthorizeParams,
  ): string {
    return buildWxAuthorizeUrl(this.#options.openBaseUrl, this.appid, redirectUri, scope, params);
  }

  /** Exchanges the callback's code. Never retried: a code works once. */
  async getAccessToken(code: string): Promise<WxAccessToken> {
    assertPresent(code, 'code');
    const params = {
      appid: this.appid,
      secret: this.#secret,
      code,
      grant_type: 'authorization_code',
    };
    return this.#http.get<WxAccessToken>('/sns/oauth2/access_token', params, false);
  }

  /** Renews an access token. WeChat asks for no secret here, so none is sent. */
  async refreshToken(refreshToken: string): Promise<WxAccessToken> {
    assertPresent(refreshToken, 'refreshToken');
    const params = { appid: this.appid, grant_type: 'refresh_token', refresh_token: refreshToken };
    return this.#http.get<WxAccessToken>('/sns/oauth2/refresh_token', params, true);
  }

  /**
   * Whether WeChat still accepts the token for this openid. Answers false for a
   * bad, expired or foreign token; throws only when WeChat cannot answer.
   */
  async checkAccessToken(accessToken: string, openid: string): Promise<boolean> {
    assertPresent(accessToken, 'accessToken');
    assertPresent(openid, 'openid');
    try {
      await this.#http.get('/sns/auth', { access_token: accessToken, openid }, true);
      return true;
    } catch (error) {
      if (error instanceof WxOAuthError && error.kind === 'invalid_token') return false;
      throw error;
    }
  }

  /** The user's profile. Needs a `snsapi_userinfo` or `snsapi_login` token (else 48001). */
  async getUserinfo(
    accessToken: string,
    openid: string,
    lang: WxLang = this.#options.lang,
  ): Promise<WxUserInfo> {
    assertPresent(accessToken, 'accessToken');
    assertPresent(openid, 'openid');
    return this.#http.get<WxUserInfo>(
      '/sns/userinfo',
      { access_token: accessToken, openid, lang },
      true,
    );
  }

  /** Exchanges the code, then fetches the profile when the granted scope allows it. */
  async getUserByCode(code: string, lang?: WxLang): Promise<WxUserByCode> {
    const token = await this.getAccessToken(code);
    if (!grantsUserinfo(token)) return { token };
    const userinfo = await this.getUserinfo(token.access_token, token.openid, lang);
    return { token, userinfo };
  }

  /**
   * The app's own access token through `/cgi-bin/stable_token`, which answers
   * the same token for its life, so that every system sharing the app keeps
   * working (the older `/cgi-bin/token` revokes the previous token on each
   * call). `forceRefresh` is limited by WeChat to 20 a day. `WxAppTokenService`
   * caches it across instances: call that rather than this.
   */
  async getStableAccessToken(forceRefresh = false): Promise<WxAppAccessToken> {
    const body = {
      grant_type: 'client_credential',
      appid: this.appid,
      secret: this.#secret,
      force_refresh: forceRefresh,
    };
    return this.#http.post<WxAppAccessToken>('/cgi-bin/stable_token', {}, body, !forceRefresh);
  }

  /** An official account's temporary QR code carrying `scene` (1–64 characters), for `expireSeconds`. */
  async createQrCode(appToken: string, scene: string, expireSeconds: number): Promise<WxQrCode> {
    assertPresent(appToken, 'appToken');
    const body = {
      expire_seconds: expireSeconds,
      action_name: 'QR_STR_SCENE',
      action_info: { scene: { scene_str: scene } },
    };
    return this.#http.post<WxQrCode>(
      '/cgi-bin/qrcode/create',
      { access_token: appToken },
      body,
      false,
    );
  }

  /** An official account's follower (`subscribe: 0` for someone who does not follow it). */
  async getFollower(
    appToken: string,
    openid: string,
    lang: WxLang = this.#options.lang,
  ): Promise<WxFollower> {
    assertPresent(appToken, 'appToken');
    assertPresent(openid, 'openid');
    return this.#http.get<WxFollower>(
      '/cgi-bin/user/info',
      { access_token: appToken, openid, lang },
      true,
    );
  }

  /** A mini-program's `wx.login()` code for its user's openid and `session_key`. Never retried: a code works once. */
  async code2Session(jsCode: string): Promise<WxMiniProgramSession> {
    assertPresent(jsCode, 'jsCode');
    const params = {
      appid: this.appid,
      secret: this.#secret,
      js_code: jsCode,
      grant_type: 'authorization_code',
    };
    return this.#http.get<WxMiniProgramSession>('/sns/jscode2session', params, false);
  }

  /**
   * Who a multi-end app's login code (`wx.weixinAppLogin()`, `wx.getIdentityCode()`)
   * names, with the multi-end app's app token (`WxAppTokenService`). WeChat takes
   * its secret as `appsecret` (`secret` gets 10001003), and GET only. Never
   * retried: a code works once.
   */
  async code2VerifyInfo(appToken: string, code: string): Promise<WxVerifyInfo> {
    assertPresent(appToken, 'appToken');
    assertPresent(code, 'code');
    const params = {
      access_token: appToken,
      appid: this.appid,
      appsecret: this.#secret,
      code,
      grant_type: 'authorization_code',
    };
    return this.#http.get<WxVerifyInfo>('/donut/code2verifyinfo', params, false);
  }

  /**
   * The phone number behind a mini-program's `getPhoneNumber` button code,
   * with the mini-program's app token (`WxAppTokenService`). WeChat charges
   * each call, so it is never retried.
   */
  async getPhoneNumber(appToken: string, code: string): Promise<WxPhoneInfo> {
    assertPresent(appToken, 'appToken');
    assertPresent(code, 'code');
    const answer = await this.#http.post<{ phone_info: WxPhoneInfo }>(
      '/wxa/business/getuserphonenumber',
      { access_token: appToken },
      { code },
      false,
    );
    return answer.phone_info;
  }

  /** Closes pooled keep-alive connections. */
  close(): void {
    this.#http.close();
  }
}

/** `snsapi_base` tokens (and snapshot users') get 48001 from `/sns/userinfo`. */
export function grantsUserinfo(token: WxAccessToken): boolean {
  if (token.is_snapshotuser === 1) return false;
  const scopes = String(token.scope ?? '').split(',');
  return scopes.includes('snsapi_userinfo') || scopes.includes('snsapi_login');
}

function assertPresent(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WxOAuthError('invalid_request', `${name} must be a non-empty string`);
  }
}
