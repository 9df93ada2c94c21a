import { OAuth2, type oauth2tokenCallback } from 'oauth';
import { WxOAuthError, wxErrorStatus } from '../client/wx-oauth.error.js';
import type { WxLogin, WxLoginResult } from '../login/wx-login.js';
import type { WxStateApp } from '../state/wx-state.store.js';

/** What the strategy's `tokenParams` hands the token request: the callback's state and the app its cookie names. */
export interface WxTokenParams {
  app?: WxStateApp;
  state?: string;
}

// node-oauth answers a success with a null error, which its types leave out.
type TokenCallback = (
  err: Error | { statusCode: number; data?: unknown } | null,
  accessToken?: string,
  refreshToken?: string,
  result?: WxLoginResult,
) => void;

/**
 * The strategy's OAuth2 client (passport-oauth2's `_oauth2`, which it leaves
 * to subclasses), with WeChat's token request: a GET with the app's appid and
 * secret through `WXOAuth` (axios), where node-oauth would POST `client_id` and
 * `client_secret`, which WeChat refuses (41002). A failure is reported as
 * node-oauth reports an error answer, `{ statusCode, data }`, which
 * passport-oauth2 hands to the strategy's `parseErrorResponse`.
 */
export class WxOAuth2Client extends OAuth2 {
  constructor(
    private readonly login: WxLogin,
    tokenURL: string,
  ) {
    // The secrets stay in each app's WXOAuth: node-oauth's own request, which would send one, is never made.
    super(login.apps.primary?.appid ?? 'per-tenant', '', '', undefined, tokenURL);
  }

  override getOAuthAccessToken(
    code: string,
    params: WxTokenParams | oauth2tokenCallback,
    callback?: oauth2tokenCallback,
  ): void {
    const done = (callback ?? params) as TokenCallback;
    const { app, state = '' } = typeof params === 'function' ? {} : params;
    this.login.exchange(code, app, state).then(
      (result) => done(null, result.token.access_token, result.token.refresh_token, result),
      (error: Error) =>
        done({
          statusCode: error instanceof WxOAuthError ? wxErrorStatus(error.kind) : 500,
          data: error,
        }),
    );
  }
}
