import { z } from 'zod';
import { assertPresent } from './assert-present.js';
import { WxHttpClient } from './http.js';
import { parseOptions, wxClientOptionsShape } from './wx-oauth-client.options.js';
import { WxOAuthError } from './wx-oauth.error.js';
import type {
  WxAuthorizationInfo,
  WxComponentAccessToken,
  WxComponentAuthType,
  WxPreAuthCode,
} from './wx-oauth.types.js';
import type { WXOAuthOptions } from './wx-oauth-client.options.js';

/**
 * Options of the third-party platform's client, `new WxComponentClient(options)`.
 *
 * @publicApi
 */
export interface WxComponentClientOptions extends Pick<
  WXOAuthOptions,
  'apiBaseUrl' | 'timeout' | 'retry' | 'axios'
> {
  /** The platform's `component_appid`. */
  appid: string;
  /** Its `component_appsecret`. Never logged, never put in an error. */
  secret: string;
  /** Where WeChat serves the authorisation page (`/cgi-bin/componentloginpage`). @default 'https://mp.weixin.qq.com' */
  mpBaseUrl?: string;
}

const { appid, secret, apiBaseUrl, timeout, retry, axios } = wxClientOptionsShape;
const optionsSchema = z.object({
  appid,
  secret,
  apiBaseUrl,
  timeout,
  retry,
  axios,
  mpBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://mp.weixin.qq.com'),
});

/** A merchant's authorisation link's settings. */
export interface WxAuthorizationLinkOptions {
  /** Which accounts the merchant may pick. @default 3 (both) */
  authType?: WxComponentAuthType;
  /** Only this account may be authorised. */
  bizAppid?: string;
}

/**
 * The third-party platform's own endpoints (`/cgi-bin/component`): its token
 * from the newest `component_verify_ticket`, the pushes of tickets restarted,
 * a merchant's authorisation link and its return. Framework-free;
 * `WxOAuthModule` keeps the ticket and the token for it (`WxComponent`).
 *
 * @publicApi
 */
export class WxComponentClient {
  readonly appid: string;
  // An ES private field: kept out of console.log, JSON and enumerable keys.
  readonly #secret: string;
  readonly #mpBaseUrl: string;
  readonly #http: WxHttpClient;

  constructor(options: WxComponentClientOptions) {
    const settings = parseOptions(optionsSchema, options, 'WxComponentClient');
    this.appid = settings.appid;
    this.#secret = settings.secret;
    this.#mpBaseUrl = settings.mpBaseUrl;
    this.#http = new WxHttpClient(settings);
  }

  /** The platform's token, with the newest ticket WeChat pushed (61005, 61006: an expired or older one). */
  async getComponentToken(ticket: string): Promise<WxComponentAccessToken> {
    assertPresent(ticket, 'ticket');
    const body = {
      component_appid: this.appid,
      component_appsecret: this.#secret,
      component_verify_ticket: ticket,
    };
    return this.#http.post<WxComponentAccessToken>(
      '/cgi-bin/component/api_component_token',
      {},
      body,
      true,
    );
  }

  /** Asks WeChat to push a ticket now, and every 10 minutes again (after pushes stopped, or before the first). */
  async startPushTicket(): Promise<void> {
    const body = { component_appid: this.appid, component_secret: this.#secret };
    await this.#http.post('/cgi-bin/component/api_start_push_ticket', {}, body, true);
  }

  /** The code of one authorisation link, valid `expires_in` seconds. */
  async createPreAuthCode(componentToken: string): Promise<WxPreAuthCode> {
    assertPresent(componentToken, 'componentToken');
    return this.#http.post<WxPreAuthCode>(
      '/cgi-bin/component/api_create_preauthcode',
      { component_access_token: componentToken },
      { component_appid: this.appid },
      false,
    );
  }

  /** What the merchant authorised, from the `auth_code` its return brought. Never retried. */
  async queryAuth(componentToken: string, authCode: string): Promise<WxAuthorizationInfo> {
    assertPresent(componentToken, 'componentToken');
    assertPresent(authCode, 'authCode');
    const answer = await this.#http.post<{ authorization_info?: WxAuthorizationInfo }>(
      '/cgi-bin/component/api_query_auth',
      { component_access_token: componentToken },
      { component_appid: this.appid, authorization_code: authCode },
      false,
    );
    const info = answer.authorization_info;
    if (typeof info?.authorizer_appid !== 'string' || !info.authorizer_refresh_token)
      throw new WxOAuthError(
        'bad_response',
        'WeChat /cgi-bin/component/api_query_auth answered no authorizer_appid or authorizer_refresh_token',
        { endpoint: '/cgi-bin/component/api_query_auth' },
      );
    return info;
  }

  /** The authorisation page on a computer, which WeChat opens only from a page of the platform's domain. */
  authorizationPageUrl(
    preAuthCode: string,
    redirectUri: string,
    options: WxAuthorizationLinkOptions = {},
  ): string {
    return `${this.#mpBaseUrl}/cgi-bin/componentloginpage?${this.linkQuery(preAuthCode, redirectUri, options)}`;
  }

  /** The authorisation link inside WeChat on a phone. */
  mobileAuthorizationUrl(
    preAuthCode: string,
    redirectUri: string,
    options: WxAuthorizationLinkOptions = {},
  ): string {
    const query = this.linkQuery(preAuthCode, redirectUri, options);
    return `${this.#mpBaseUrl}/safe/bindcomponent?action=bindcomponent&no_scan=1&${query}#wechat_redirect`;
  }

  /** Closes pooled keep-alive connections. */
  close(): void {
    this.#http.close();
  }

  private linkQuery(
    preAuthCode: string,
    redirectUri: string,
    { authType = 3, bizAppid }: WxAuthorizationLinkOptions,
  ): string {
    assertPresent(preAuthCode, 'preAuthCode');
    if (!/^https?:\/\//.test(redirectUri))
      throw new WxOAuthError('invalid_request', 'redirectUri must be an absolute http(s) URL');
    if (![1, 2, 3].includes(authType))
      throw new WxOAuthError('invalid_request', 'authType must be 1, 2 or 3');
    const params: [string, string][] = [
      ['component_appid', this.appid],
      ['pre_auth_code', preAuthCode],
      ['redirect_uri', redirectUri],
      ['auth_type', String(authType)],
    ];
    if (bizAppid !== undefined) params.push(['biz_appid', bizAppid]);
    return params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  }
}
