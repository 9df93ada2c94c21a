import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { oauth2tokenCallback } from 'oauth';
import type { StrategyCreatedStatic } from 'passport';
import { Strategy as OAuth2Strategy, type StateStore } from 'passport-oauth2';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope, WxUserByCode } from '../client/wx-oauth.types.js';
import { assertLoginMethod, readLoginQuery } from '../state/login-query.js';
import { WxStateStore, type WxStateInfo } from '../state/wx-state.store.js';
import { WxTokenService } from '../tokens/wx-token.service.js';
import { TtlMap } from '../utils/ttl-map.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';
import { loginResponseOf } from './login-response.js';
import { wxHttpException } from './wx-http-exception.js';
import { toWxProfile } from './wx-profile.js';

/**
 * What a guard's `getAuthenticateOptions(context)` may set per request.
 *
 * @publicApi
 */
export interface WxAuthenticateOptions {
  /** The scope to ask for; `snsapi_login` is the website QR login. @default the module's `scope` */
  scope?: WxScope;
  /** Where to go after the login, a path on this site; handed back as `req.authInfo.state.returnTo`. @default the login route's `?returnTo=` */
  returnTo?: string;
  /** An absolute callback URL for this login; its path is then the callback route. @default the module's `callbackURL` */
  callbackURL?: string;
}

type AuthenticateOptions = WxAuthenticateOptions & { wxState?: string };
type LoginRequest = Pick<IncomingMessage, 'headers' | 'method'> & { query?: unknown; originalUrl?: string; url?: string };
type GetOAuthAccessToken = (code: string, params: { wxState?: string }, callback: oauth2tokenCallback) => void;

/** How long a finished exchange stays shared with a duplicate callback, which comes within a second or two. */
const DUPLICATE_CALLBACK_WINDOW_MS = 3_000;

/**
 * Passport strategy `'wechat'` on passport-oauth2: the one login path, run by
 * `WxAuthGuard` and by a plain `AuthGuard('wechat')` alike. On the login route
 * it sets the state cookie and redirects to WeChat's authorize URL (WeChat's own
 * parameter order, which passport-oauth2's generic URL breaks); on the callback
 * route (the path of `callbackURL`) it verifies the state, then exchanges the
 * code and fetches the profile through `WXOAuth` (a GET with appid and secret,
 * where passport-oauth2 would POST). Failures reach passport as HTTP errors
 * carrying WeChat's errcode, so any AuthGuard answers 4xx/502/504, never 500.
 *
 * @publicApi
 */
@Injectable()
export class WxStrategy extends PassportStrategy(OAuth2Strategy, WX_OAUTH_STRATEGY, true) {
  private readonly state: WxStateStore;
  private readonly callbackPath: string;
  // WeChat may call the callback twice with one code; a second exchange would
  // get 40163, so both requests share the first one's result.
  private readonly exchanges = new TtlMap<string, Promise<WxUserByCode>>(10_000);

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
    private readonly wx: WXOAuth,
    private readonly tokens: WxTokenService,
  ) {
    const state = new WxStateStore({
      key: options.stateKey,
      ttlMs: options.stateTtl,
      secure: options.callbackURL.startsWith('https:'),
      store: options.tokenStore,
      appid: options.appid,
    });
    super({
      authorizationURL: `${options.openBaseUrl}/connect/oauth2/authorize`,
      tokenURL: `${options.apiBaseUrl}/sns/oauth2/access_token`,
      clientID: options.appid,
      // The exchange below is WXOAuth's: passport-oauth2 never holds the secret.
      clientSecret: '',
      callbackURL: options.callbackURL,
      store: passportStateStore(state) as unknown as StateStore,
      skipUserProfile: true,
    });
    this.state = state;
    this.callbackPath = pathOf(options.callbackURL);
    const getAccessToken: GetOAuthAccessToken = (code, params, callback) => {
      this.exchange(code, params.wxState ?? '').then(
        (result) => callback(null as never, result.token.access_token, result.token.refresh_token, result),
        (error: Error) => callback(error),
      );
    };
    this._oauth2.getOAuthAccessToken = getAccessToken as typeof this._oauth2.getOAuthAccessToken;
  }

  override authenticate(req: LoginRequest, options: AuthenticateOptions = {}): void {
    const self = this as this & StrategyCreatedStatic;
    // Request-local (passport runs each request on its own copy): every failure becomes an HTTP error.
    const passportError = self.error;
    self.error = (error: Error) => passportError(wxHttpException(error) ?? error);
    try {
      assertLoginMethod(req.method);
      const { code, state, returnTo } = readLoginQuery(req.query);
      const callbackURL = options.callbackURL ?? this.options.callbackURL;
      const onCallbackRoute = isCallbackRoute(req, options.callbackURL ? pathOf(callbackURL) : this.callbackPath);
      if (!onCallbackRoute || (code === undefined && state === undefined)) {
        return this.redirectToWeChat(self, req, callbackURL, options.scope ?? this.options.scope, options.returnTo ?? returnTo);
      }
      // WeChat's denial brings the browser back with the state and no code.
      if (!code) return self.error(new WxOAuthError('denied', 'The login was not authorised in WeChat'));
      super.authenticate(req as Parameters<OAuth2Strategy['authenticate']>[0], { ...options, wxState: state ?? '' });
    } catch (error) {
      self.error(error as Error);
    }
  }

  /** Hands the callback's state to the exchange through passport-oauth2's token params. */
  override tokenParams(options: AuthenticateOptions): object {
    return { wxState: options.wxState };
  }

  /** passport-oauth2's verify callback; its arity (4 here) makes it pass the token params: WeChat's answer. */
  async validate(_accessToken: string, _refreshToken: string, result: WxUserByCode, _profile: unknown): Promise<unknown> {
    const profile = toWxProfile(result, this.options.idField);
    await this.tokens.save(result.token);
    const user = this.options.validate ? await this.options.validate(profile, result.token) : profile;
    // An error rather than passport's fail(), so that every guard answers the same 401 body.
    if (!user) throw new WxOAuthError('denied', 'The login was refused');
    return user;
  }

  /** Mints the state, sets its cookie, and sends the browser to WeChat's authorize URL. */
  private redirectToWeChat(
    self: this & StrategyCreatedStatic,
    req: LoginRequest,
    callbackURL: string,
    scope: WxScope,
    returnTo: unknown,
  ): void {
    const res = loginResponseOf(req);
    if (!res) throw new Error("WxStrategy needs the response: on Fastify, guard the route with WxAuthGuard, not AuthGuard('wechat')");
    const url = this.wx.getAuthorizeUrl(callbackURL, scope, { state: this.state.issue(returnTo, req, res) });
    self.redirect(url);
  }

  /**
   * One exchange per (state, code). Keyed on both so that a leaked code replayed
   * with another login's state still goes to WeChat, which refuses it (40163).
   */
  private exchange(code: string, state: string): Promise<WxUserByCode> {
    const key = `${state}.${code}`;
    const shared = this.exchanges.get(key);
    if (shared) return shared;
    const pending = this.wx.getUserByCode(code, this.options.lang);
    // Held while in flight, then only for the duplicate window: a login's tokens need not linger.
    this.exchanges.set(key, pending, 2 * this.options.timeout + DUPLICATE_CALLBACK_WINDOW_MS);
    const keep = () => this.exchanges.set(key, pending, DUPLICATE_CALLBACK_WINDOW_MS);
    pending.then(keep, keep);
    return pending;
  }
}

/** passport-oauth2's callback-style state store over `WxStateStore`: `verify` only, since logins start above. */
function passportStateStore(state: WxStateStore) {
  return {
    verify(req: LoginRequest, value: unknown, callback: (err: Error | null, ok?: boolean, info?: WxStateInfo) => void): void {
      const res = loginResponseOf(req);
      if (!res) return callback(new Error('WxStrategy needs the response to expire the state cookie'));
      state.consume(value, String((req.query as { code?: unknown }).code), req, res).then((info) => callback(null, true, info), callback);
    },
  };
}

/**
 * The callback is recognised by its route, so a login route's own `state` or
 * `code` parameter starts a login as usual. A proxy that strips a path prefix
 * (`/api/auth/wechat/callback` reaching the app as `/auth/wechat/callback`)
 * still matches: the request path is then a suffix of the callback's.
 */
function isCallbackRoute(req: LoginRequest, callbackPath: string): boolean {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  const path = trimSlash(query === -1 ? url : url.slice(0, query));
  return path === callbackPath || (path.length > 1 && callbackPath.endsWith(path));
}

function pathOf(url: string): string {
  return trimSlash(new URL(url).pathname);
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
