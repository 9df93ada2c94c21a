import { OAuth2, type oauth2tokenCallback } from 'oauth';
import type { WxStateApp } from '../../state/wx-state.store.js';
import type { WxCodeExchange, WxLoginResult } from './wx-code-exchange.js';

/** What the strategy's `tokenParams` hands the token request: the callback's state, the app its cookie names, and the appid WeChat added. */
export interface WxTokenParams {
  app?: WxStateApp;
  state?: string;
  callbackAppid?: string;
}

// node-oauth answers a success with a null error, which its types leave out.
type TokenCallback = (
  err: unknown,
  accessToken?: string,
  refreshToken?: string,
  result?: WxLoginResult,
) => void;

/**
 * The strategy's OAuth2 client (passport-oauth2's `_oauth2`, which it leaves
 * to subclasses), with WeChat's token request: a GET with the app's appid and
 * secret through `WXOAuth` (axios), where node-oauth would POST `client_id` and
 * `client_secret`, which WeChat refuses (41002). A failure reaches
 * passport-oauth2 as it is, which wraps it in an `InternalOAuthError`.
 */
export class WxOAuth2TokenRequest extends OAuth2 {
  constructor(
    private readonly exchange: WxCodeExchange,
    clientId: string,
    tokenURL: string,
  ) {
    // The secrets stay in each app's WXOAuth: node-oauth's own request, which would send one, is never made.
    super(clientId, '', '', undefined, tokenURL);
  }

  override getOAuthAccessToken(
    code: string,
    params: WxTokenParams | oauth2tokenCallback,
    callback?: oauth2tokenCallback,
  ): void {
    const done = (callback ?? params) as TokenCallback;
    const { app, state = '', callbackAppid } = typeof params === 'function' ? {} : params;
    this.exchange.exchange(code, app, state, callbackAppid).then(
      (result) => done(null, result.token.access_token, result.token.refresh_token, result),
      (error: unknown) => done(error),
    );
  }
}
