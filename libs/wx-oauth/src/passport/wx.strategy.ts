import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { oauth2tokenCallback } from 'oauth';
import type { StrategyCreatedStatic } from 'passport';
import { Strategy as OAuth2Strategy, type StateStore } from 'passport-oauth2';
import type { WxScope, WxUserByCode } from '../client/wx-oauth.types.js';
import type { WxStateInfo, WxStateStore } from '../state/wx-state.store.js';
import { assertLoginMethod, readLoginQuery, type WxLoginParams } from '../state/login-query.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';
import { loginDenied, WxLogin, type WxLoginQuery } from './wx-login.js';

type GetOAuthAccessToken = (code: string, params: { wxState?: string }, callback: oauth2tokenCallback) => void;
type AuthenticateOptions = { scope?: WxScope; wxState?: string };
type Request = IncomingMessage & { query?: WxLoginQuery; res?: ServerResponse };

/**
 * Passport strategy `'wechat'` on passport-oauth2, for apps that call passport
 * themselves (`AuthGuard('wechat')`, `passport.authenticate('wechat')`).
 * WeChat's differences are delegated to `WxLogin`: the authorize URL in WeChat's
 * order, the code exchange as a GET with appid/secret, and the userinfo fetch,
 * which needs the openid. `WxAuthGuard` runs the same login without passport.
 *
 * @publicApi
 */
@Injectable()
export class WxStrategy extends PassportStrategy(OAuth2Strategy, WX_OAUTH_STRATEGY, true) {
  constructor(
    @Inject(WX_OAUTH_OPTIONS) options: ResolvedWxOAuthOptions,
    private readonly login: WxLogin,
  ) {
    super({
      authorizationURL: `${options.openBaseUrl}/connect/oauth2/authorize`,
      tokenURL: `${options.apiBaseUrl}/sns/oauth2/access_token`,
      clientID: options.appid,
      // The exchange below is WXOAuth's: passport-oauth2 never holds the secret.
      clientSecret: '',
      callbackURL: options.callbackURL,
      store: passportStateStore(login.state) as unknown as StateStore,
      skipUserProfile: true,
    });
    const getAccessToken: GetOAuthAccessToken = (code, params, callback) => {
      login.exchange(code, params.wxState ?? '').then(
        (result) => callback(null as never, result.token.access_token, result.token.refresh_token, result),
        (error: Error) => callback(error),
      );
    };
    this._oauth2.getOAuthAccessToken = getAccessToken as typeof this._oauth2.getOAuthAccessToken;
  }

  override authenticate(req: Request, options: AuthenticateOptions = {}): void {
    const self = this as this & StrategyCreatedStatic;
    let query: WxLoginParams;
    try {
      assertLoginMethod(req.method);
      query = readLoginQuery(req.query);
    } catch (error) {
      return self.error(error as Error);
    }
    if (!this.login.isCallback(query)) {
      // passport-oauth2 would build a generic URL (client_id, any order); WeChat needs its own.
      try {
        return self.redirect(this.login.start(query, req, responseOf(req), options.scope));
      } catch (error) {
        return self.error(error as Error);
      }
    }
    // WeChat's denial brings the browser back with a state and no code; passport-oauth2 would start a new login.
    if (!query.code) return self.error(loginDenied());
    super.authenticate(req as Parameters<OAuth2Strategy['authenticate']>[0], { ...options, wxState: query.state ?? '' });
  }

  /** Hands the callback's state to the exchange through passport-oauth2's token params. */
  override tokenParams(options: AuthenticateOptions): object {
    return { wxState: options.wxState };
  }

  /** passport-oauth2's verify callback; its arity (4 here) makes it pass the token params. */
  async validate(_accessToken: string, _refreshToken: string, result: WxUserByCode, _profile: unknown): Promise<unknown> {
    return this.login.complete(result);
  }
}

/**
 * passport-oauth2's callback-style state store over `WxStateStore`: `verify`
 * (arity 3) only, since `authenticate` starts logins itself.
 */
function passportStateStore(state: WxStateStore) {
  return {
    verify(req: Request, value: unknown, callback: (err: Error | null, ok?: boolean, info?: WxStateInfo) => void): void {
      state.consume(value, String(req.query?.code ?? ''), req, responseOf(req)).then((info) => callback(null, true, info), callback);
    },
  };
}

function responseOf(req: Request): ServerResponse {
  if (!req.res) throw new Error('WxStrategy needs the response object on req.res (an Express request)');
  return req.res;
}
