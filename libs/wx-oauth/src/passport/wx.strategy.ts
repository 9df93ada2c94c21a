import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { oauth2tokenCallback } from 'oauth';
import type { StrategyCreatedStatic } from 'passport';
import { Strategy as OAuth2Strategy, type StateStore } from 'passport-oauth2';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope, WxUserByCode } from '../client/wx-oauth.types.js';
import { assertLoginMethod, readLoginQuery } from '../state/login-query.js';
import { WxStateStore, type WxStateInfo } from '../state/wx-state.store.js';
import { WxTokenService } from '../tokens/wx-token.service.js';
import { TtlMap } from '../utils/ttl-map.js';
import { type WxApp, WxOAuthApps } from '../wx-oauth.apps.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';
import { loginResponseOf } from './login-response.js';
import { wxHttpException } from './wx-http-exception.js';
import { toWxProfile } from './wx-profile.js';
import { scopeForUserAgent } from './wx-user-agent.js';

/**
 * What a guard's `getAuthenticateOptions(context)` may set per request.
 *
 * @publicApi
 */
export interface WxAuthenticateOptions {
  /**
   * The scope to ask for; `snsapi_login` is the website QR login. @default the module's `scope`;
   * with two apps, that inside WeChat's browser and `snsapi_login` in any other
   */
  scope?: WxScope;
  /** Where to go after the login, a path on this site; handed back as `req.authInfo.state.returnTo`. @default the login route's `?returnTo=` */
  returnTo?: string;
  /** An absolute callback URL for this login; its path is then the callback route. @default the module's `callbackURL` */
  callbackURL?: string;
}

type AuthenticateOptions = WxAuthenticateOptions & { wxState?: string; wxAppid?: string };
type LoginRequest = Pick<IncomingMessage, 'headers' | 'method'> & { query?: unknown; originalUrl?: string; url?: string };
type TokenParams = { wxState?: string; wxAppid?: string };
type GetOAuthAccessToken = (code: string, params: TokenParams, callback: oauth2tokenCallback) => void;
/** What the exchange hands to `validate`: WeChat's answer, and the app it came from. */
type Exchanged = WxUserByCode & { app: WxApp };

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
  private readonly callbackPath: string;
  // WeChat may call the callback twice with one code; a second exchange would
  // get 40163, so both requests share the first one's result.
  private readonly exchanges = new TtlMap<string, Promise<Exchanged>>(10_000);

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
    private readonly apps: WxOAuthApps,
    private readonly tokens: WxTokenService,
    private readonly state: WxStateStore,
  ) {
    super({
      authorizationURL: `${options.openBaseUrl}/connect/oauth2/authorize`,
      tokenURL: `${options.apiBaseUrl}/sns/oauth2/access_token`,
      clientID: apps.primary.appid,
      // The exchange below is WXOAuth's: passport-oauth2 never holds the secret.
      clientSecret: '',
      callbackURL: options.callbackURL,
      store: passportStateStore as unknown as StateStore,
      skipUserProfile: true,
    });
    this.callbackPath = pathOf(options.callbackURL);
    const getAccessToken: GetOAuthAccessToken = (code, params, callback) => {
      this.exchange(code, params).then(
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
        return this.redirectToWeChat(self, req, callbackURL, options.scope ?? this.scopeOf(req), options.returnTo ?? returnTo);
      }
      // WeChat's denial brings the browser back with the state and no code.
      if (!code) return self.error(new WxOAuthError('denied', 'The login was not authorised in WeChat'));
      // The state first: it says which app started the login, and so whose secret the code goes to.
      this.state
        .consume(state, code, req, loginResponseOf(req))
        .then((info) => {
          verified.set(req, info);
          super.authenticate(req as Parameters<OAuth2Strategy['authenticate']>[0], { ...options, wxState: state, wxAppid: info.appid });
        })
        .catch((error: Error) => self.error(error));
    } catch (error) {
      self.error(error as Error);
    }
  }

  /** Hands the callback's state and its app to the exchange through passport-oauth2's token params. */
  override tokenParams(options: AuthenticateOptions): TokenParams {
    return { wxState: options.wxState, wxAppid: options.wxAppid };
  }

  /** passport-oauth2's verify callback; its arity (4 here) makes it pass the token params: WeChat's answer. */
  async validate(_accessToken: string, _refreshToken: string, result: Exchanged, _profile: unknown): Promise<unknown> {
    const appid = result.app.client.appid;
    const profile = toWxProfile(result, this.options.idField, appid);
    await this.tokens.save(result.token, appid);
    const user = this.options.validate ? await this.options.validate(profile, result.token) : profile;
    // An error rather than passport's fail(), so that every guard answers the same 401 body.
    if (!user) throw new WxOAuthError('denied', 'The login was refused');
    return user;
  }

  /** With two apps, a route without a scope of its own logs in by the browser: inside WeChat or not. */
  private scopeOf(req: LoginRequest): WxScope {
    return this.options.byKind ? scopeForUserAgent(req.headers['user-agent'], this.options.scope) : this.options.scope;
  }

  /** Mints the state, sets its cookie, and sends the browser to the app's authorize URL; refuses a flow with no app. */
  private redirectToWeChat(
    self: this & StrategyCreatedStatic,
    req: LoginRequest,
    callbackURL: string,
    scope: WxScope,
    returnTo: unknown,
  ): void {
    const { client } = this.apps.forScope(scope);
    const state = this.state.issue(returnTo, client.appid, req, loginResponseOf(req));
    const url = client.getAuthorizeUrl(callbackURL, scope, { state });
    self.redirect(url);
  }

  /**
   * One exchange per (state, code). Keyed on both so that a leaked code replayed
   * with another login's state still goes to WeChat, which refuses it (40163).
   */
  private exchange(code: string, { wxState, wxAppid }: TokenParams): Promise<Exchanged> {
    const key = `${wxState}.${code}`;
    const shared = this.exchanges.get(key);
    if (shared) return shared;
    const pending = this.exchangeWith(this.apps.byAppid(wxAppid), code);
    // Held while in flight, then only for the duplicate window: a login's tokens need not linger.
    this.exchanges.set(key, pending, 2 * this.options.timeout + DUPLICATE_CALLBACK_WINDOW_MS);
    const keep = () => this.exchanges.set(key, pending, DUPLICATE_CALLBACK_WINDOW_MS);
    pending.then(keep, keep);
    return pending;
  }

  private async exchangeWith(app: WxApp | undefined, code: string): Promise<Exchanged> {
    // A state signed by this app names an app of this registration, unless the registration changed since.
    if (!app) throw new WxOAuthError('invalid_state', 'Login state names an app this site no longer has; please log in again');
    try {
      return { ...(await app.client.getUserByCode(code, this.options.lang)), app };
    } catch (error) {
      // WeChat refusing the app itself: say which app, so that the misconfigured one is found.
      if (error instanceof WxOAuthError && error.kind === 'app_config') {
        throw new WxOAuthError('app_config', `${error.message} (the ${this.apps.describe(app)})`, error);
      }
      throw error;
    }
  }
}

/** The state each callback verified, for passport-oauth2's state check, which comes after. */
const verified = new WeakMap<object, WxStateInfo>();

/** passport-oauth2's callback-style state store: the state was verified before passport-oauth2 asks. */
const passportStateStore = {
  verify(req: object, _state: unknown, callback: (err: Error | null, ok?: boolean, info?: WxStateInfo) => void): void {
    callback(null, true, verified.get(req));
  },
};

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
