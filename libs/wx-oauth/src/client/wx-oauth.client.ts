import { buildWxAuthorizeUrl } from './authorize-url.js';
import { assertPresent } from './assert-present.js';
import { WxHttpClient } from './http.js';
import {
  resolveClientOptions,
  type WxClientSettings,
  type WxOnBehalfOf,
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
 * An app served through a third-party platform (`component`) has no secret:
 * its authorize URL names the platform, and the code exchange, the refresh,
 * the mini-program's code and the app's own token go through the platform's
 * endpoints with its token.
 *
 * @publicApi
 */
export class WXOAuth {
  readonly appid: string;
  /** The third-party platform's appid, for an app served through it; else undefined. */
  readonly componentAppid?: string;
  // ES private fields: kept out of console.log, JSON and enumerable keys.
  readonly #secret?: string;
  readonly #component?: WxOnBehalfOf;
  readonly #options: Omit<WxClientSettings, 'secret' | 'component'>;
  readonly #http: WxHttpClient;

  constructor(options: WXOAuthOptions) {
    const { secret, component, ...rest } = resolveClientOptions(options);
    this.appid = rest.appid;
    this.componentAppid = component?.appid;
    this.#secret = secret;
    // The caller's own object, not the validated copy: its withToken may read its other fields.
    this.#component = component && {
      ...component,
      withToken: options.component!.withToken.bind(options.component),
    };
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
    return buildWxAuthorizeUrl(
      this.#options.openBaseUrl,
      this.appid,
      redirectUri,
      scope,
      params,
      this.componentAppid,
    );
  }

  /** Exchanges the callback's code (on the platform's behalf: `/sns/oauth2/component/access_token`). Never retried: a code works once. */
  async getAccessToken(code: string): Promise<WxAccessToken> {
    assertPresent(code, 'code');
    if (this.#component)
      return this.onBehalf((component) =>
        this.#http.get<WxAccessToken>(
          '/sns/oauth2/component/access_token',
          { appid: this.appid, code, grant_type: 'authorization_code', ...component },
          false,
        ),
      );
    const params = {
      appid: this.appid,
      secret: this.secret('/sns/oauth2/access_token'),
      code,
      grant_type: 'authorization_code',
    };
    return this.#http.get<WxAccessToken>('/sns/oauth2/access_token', params, false);
  }

  /** Renews an access token (on the platform's behalf: `/sns/oauth2/component/refresh_token`). WeChat asks for no app secret here, so none is sent. */
  async refreshToken(refreshToken: string): Promise<WxAccessToken> {
    assertPresent(refreshToken, 'refreshToken');
    if (this.#component)
      return this.onBehalf((component) =>
        this.#http.get<WxAccessToken>(
          '/sns/oauth2/component/refresh_token',
          {
            appid: this.appid,
            grant_type: 'refresh_token',
            ...component,
            refresh_token: refreshToken,
          },
          true,
        ),
      );
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
    if (this.#component) return this.getAuthorizerToken(this.#component);
    const body = {
      grant_type: 'client_credential',
      appid: this.appid,
      secret: this.secret('/cgi-bin/stable_token'),
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

  /** A mini-program's `wx.login()` code for its user's openid and `session_key` (on the platform's behalf: `/sns/component/jscode2session`). Never retried: a code works once. */
  async code2Session(jsCode: string): Promise<WxMiniProgramSession> {
    assertPresent(jsCode, 'jsCode');
    if (this.#component)
      return this.onBehalf((component) =>
        this.#http.get<WxMiniProgramSession>(
          '/sns/component/jscode2session',
          { appid: this.appid, js_code: jsCode, grant_type: 'authorization_code', ...component },
          false,
        ),
      );
    const params = {
      appid: this.appid,
      secret: this.secret('/sns/jscode2session'),
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
      appsecret: this.secret('/donut/code2verifyinfo'),
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

  /** `call` with the platform's parameters, its token renewed once when WeChat refuses it. */
  private onBehalf<T>(
    call: (component: { component_appid: string; component_access_token: string }) => Promise<T>,
  ): Promise<T> {
    const component = this.#component!;
    return component.withToken((token) =>
      call({ component_appid: component.appid, component_access_token: token }),
    );
  }

  /**
   * A merchant's own token through the platform (`api_authorizer_token`), with
   * the `authorizer_refresh_token` its authorisation gave.
   */
  private async getAuthorizerToken(component: WxOnBehalfOf): Promise<WxAppAccessToken> {
    const refreshToken = component.authorizerRefreshToken;
    if (!refreshToken)
      throw new WxOAuthError(
        'flow_unavailable',
        `The app ${this.appid} is served through the third-party platform with no authorizer_refresh_token: give the one its authorisation answered (authorizerRefreshToken)`,
      );
    const answer = await this.onBehalf(({ component_appid, component_access_token }) =>
      this.#http.post<{ authorizer_access_token: string; expires_in: number }>(
        '/cgi-bin/component/api_authorizer_token',
        { component_access_token },
        {
          component_appid,
          authorizer_appid: this.appid,
          authorizer_refresh_token: refreshToken,
        },
        true,
      ),
    );
    return { access_token: answer.authorizer_access_token, expires_in: answer.expires_in };
  }

  /** The app's secret, for the calls only the app itself can make. */
  private secret(endpoint: string): string {
    if (this.#secret === undefined)
      throw new WxOAuthError(
        'flow_unavailable',
        `WeChat ${endpoint} needs the app's own secret: the app ${this.appid} is served through a third-party platform`,
      );
    return this.#secret;
  }
}

/** `snsapi_base` tokens (and snapshot users') get 48001 from `/sns/userinfo`. */
export function grantsUserinfo(token: WxAccessToken): boolean {
  if (token.is_snapshotuser === 1) return false;
  const scopes = String(token.scope ?? '').split(',');
  return scopes.includes('snsapi_userinfo') || scopes.includes('snsapi_login');
}
