import { Strategy as OAuth2Strategy, type VerifyCallback } from 'passport-oauth2';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxAccessToken, WxAuthorizeParams, WxScope } from '../client/wx-oauth.types.js';
import {
  assertCallbackHost,
  assertLoginMethod,
  callbackPathOf,
  isCallbackRoute,
  responseOf,
  type LoginRequest,
  readLoginQuery,
} from '../login/login-request.js';
import type { WxStateInfo } from '../interfaces/wx-auth-info.interface.js';
import type { WxLogin, WxLoginResult } from '../login/wx-login.js';
import type { WxProfile } from '../login/wx-profile.js';
import { readMiniProgramLoginBody } from '../mini-program/mini-program-login-body.js';
import { isSafeReturnTo } from '../state/return-to.js';
import type { WxStateApp, WxStateMeta } from '../state/wx-state.store.js';
import { isDevelopment } from '../utils/node-env.js';
import { WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import { WxOAuth2Client, type WxTokenParams } from './wx-oauth2.client.js';

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
  /**
   * Where to go after the login, a path on this site or a URL on one of `frontendOrigins`; handed back
   * as `req.authInfo.state.returnTo`. @default the login route's `?returnTo=`
   */
  returnTo?: string;
  /** An absolute callback URL for this login; its path is then the callback route. @default the module's `callbackURL` */
  callbackURL?: string;
  /** `WxAuthGuard`'s redirect after a login on this route (see the module option). @default the module's */
  successRedirect?: string;
  /** `WxAuthGuard`'s redirect after a failed login on this route, with `?wx_error=<kind>`. @default the module's */
  failureRedirect?: string;
  /**
   * `'follow'` on the route that completes a follow login (`@WxFollowLoginRoute()`), `'miniProgram'` on
   * the mini-program's (`@WxMiniProgramLoginRoute()`). @default WeChat's OAuth2
   */
  flow?: 'oauth' | 'follow' | 'miniProgram';
}

/** The strategy's verify callback: WeChat's profile and tokens in, the app's user out. */
export type WxVerifyFunction = (
  profile: WxProfile,
  tokens: WxAccessToken | undefined,
  done: (err: unknown, user?: unknown) => void,
) => void;

type PassportRequest = Parameters<OAuth2Strategy['authenticate']>[0];
type CallbackOptions = WxAuthenticateOptions & { wxApp?: WxStateApp; wxState?: string };

/**
 * passport-oauth2 for WeChat, extended by its hooks. The login start mints the
 * state through the state store's `store()` and redirects to WeChat's own
 * authorize URL (its parameter order and `#wechat_redirect`, which
 * passport-oauth2's generic URL breaks). On the callback route passport-oauth2
 * runs as it is: the store's `verify()`, the token request (`_oauth2`, WeChat's
 * GET exchange, given the app by `tokenParams`), then `verify` with WeChat's
 * profile. Every failure reaches passport as an HTTP error carrying WeChat's
 * errcode, so that any AuthGuard answers 4xx/502/503/504, never 500.
 */
export class WxOAuth2Strategy extends OAuth2Strategy {
  // What passport gives the copy of the strategy each request runs on.
  declare error: (err: unknown) => void;
  declare redirect: (url: string, status?: number) => void;
  declare success: (user: unknown, info?: unknown) => void;
  /** The module's callback route, parsed once; none without a browser login (a mini-program only). */
  private readonly callbackPath?: string;

  constructor(
    protected readonly login: WxLogin,
    private readonly verifyProfile: WxVerifyFunction,
  ) {
    const { settings, apps, states } = login;
    const tokenURL = `${settings.apiBaseUrl}/sns/oauth2/access_token`;
    super(
      {
        authorizationURL: `${settings.openBaseUrl}/connect/oauth2/authorize`,
        tokenURL,
        // passport-oauth2 wants one; each login names its own app (`WxStateMeta.clientID`).
        clientID: apps.primary?.appid ?? 'per-tenant',
        // Each app's secret stays in its WXOAuth client, which makes the token request (WxOAuth2Client).
        clientSecret: '',
        callbackURL: settings.callbackURL,
        store: states,
        // The profile comes with the token request: WeChat's userinfo needs the openid, which userProfile() never sees.
        skipUserProfile: true,
      },
      // Arity 5, so that passport-oauth2 hands over the token request's result.
      (
        _accessToken: string,
        _refreshToken: string,
        result: WxLoginResult,
        _profile: unknown,
        verified: VerifyCallback,
      ) => {
        login.profileOf(result).then(
          (profile) =>
            verifyProfile(profile, result.token, (err, user) =>
              // A refusal as an error rather than passport's fail(), so that every guard answers the same 401 body.
              verified(
                err ?? (user ? null : new WxOAuthError('denied', 'The login was refused')),
                user || undefined,
              ),
            ),
          (error: unknown) => verified(error),
        );
      },
    );
    this.name = WX_OAUTH_STRATEGY;
    this.callbackPath = settings.callbackURL && callbackPathOf(settings.callbackURL);
    this._oauth2 = new WxOAuth2Client(login, tokenURL);
  }

  override authenticate(req: PassportRequest, options: WxAuthenticateOptions = {}): void {
    // Request-local (passport runs each request on its own copy): the one place failures become HTTP errors.
    const passportError = this.error;
    this.error = (error: unknown) => passportError(wxHttpException(error) ?? error);
    try {
      if (options.flow === 'miniProgram') return this.completeMiniProgram(req);
      assertLoginMethod(req.method);
      const { code, state, returnTo, error } = readLoginQuery(req.query);
      if (options.flow === 'follow') return this.completeFollow(req, options.returnTo ?? returnTo);
      const callbackURL = options.callbackURL ?? this.login.settings.callbackURL;
      const callbackPath = options.callbackURL
        ? callbackPathOf(options.callbackURL)
        : this.callbackPath;
      const isCallback = callbackPath !== undefined && isCallbackRoute(req, callbackPath);
      if (!isCallback || (code === undefined && state === undefined)) {
        return this.start(
          req,
          options.callbackURL,
          options.scope,
          options.returnTo ?? returnTo,
          options,
        );
      }
      // WeChat's denial brings the browser back with the state and no code.
      if (!code || error !== undefined)
        return this.error(new WxOAuthError('denied', 'The login was not authorised in WeChat'));
      const callbackOptions: CallbackOptions = {
        ...options,
        callbackURL,
        wxApp: this.login.states.appOf(req, state),
        wxState: state,
      };
      super.authenticate(req, callbackOptions);
    } catch (error) {
      this.error(error);
    }
  }

  /** A follow login's last step: the scanned login of this browser, through `verify` as an OAuth2 login's. */
  private completeFollow(req: LoginRequest, returnTo: string | undefined): void {
    const { settings, follow } = this.login;
    if (returnTo !== undefined && !isSafeReturnTo(returnTo, settings.frontendOrigins))
      throw new WxOAuthError(
        'invalid_request',
        'returnTo must be a relative path on this site, like /profile',
      );
    follow.complete(req, responseOf(req)).then(
      (profile) => this.verified(profile, returnTo),
      (error: unknown) => this.error(error),
    );
  }

  /** A mini-program login: its posted code, through `verify` as an OAuth2 login's. */
  private completeMiniProgram(req: PassportRequest): void {
    const body = readMiniProgramLoginBody(req.method, (req as { body?: unknown }).body);
    this.login.miniProgram.logIn(body, req).then(
      (profile) => this.verified(profile, undefined),
      (error: unknown) => this.error(error),
    );
  }

  /** Hands a profile the strategy made itself to `verify`, and its user to passport. */
  private verified(profile: WxProfile, returnTo: string | undefined): void {
    this.verifyProfile(profile, undefined, (err, user) => {
      if (err || !user)
        return this.error(err ?? new WxOAuthError('denied', 'The login was refused'));
      const state: WxStateInfo = { appid: profile.appid, ...(returnTo ? { returnTo } : {}) };
      this.success(user, { state });
    });
  }

  /** Extra parameters of WeChat's authorize URL, e.g. `{ forcePopup: true }`. @default none */
  override authorizationParams(_options: WxAuthenticateOptions): WxAuthorizeParams {
    return {};
  }

  /** Hands the token request the callback's state and the app its cookie names. */
  override tokenParams(options: CallbackOptions): WxTokenParams {
    return { app: options.wxApp, state: options.wxState };
  }

  /** The token request's failure (see `WxOAuth2Client`) is WeChat's error itself. */
  override parseErrorResponse(body: unknown, _status: number): Error | null {
    return body instanceof Error ? body : null;
  }

  /**
   * Mints the state through the store, and sends the browser to the authorize
   * URL of the request's registration (its tenant's, with `tenants`); refuses a
   * flow with no app.
   */
  private start(
    req: LoginRequest,
    routeCallbackURL: string | undefined,
    routeScope: WxScope | undefined,
    returnTo: unknown,
    options: WxAuthenticateOptions,
  ): void {
    const { settings, apps, states } = this.login;
    apps
      .forRequest(req)
      .then((registration) => {
        const { scope, app } = registration.forLogin(
          req.headers['user-agent'],
          settings.scope,
          routeScope,
        );
        const callbackURL = (routeCallbackURL ?? registration.callbackURL)!; // set wherever a browser app is (the options' check)
        if (isDevelopment()) assertCallbackHost(req, callbackURL);
        const meta: WxStateMeta = {
          authorizationURL: `${settings.openBaseUrl}/connect/oauth2/authorize`,
          tokenURL: `${settings.apiBaseUrl}/sns/oauth2/access_token`,
          clientID: app.client.appid,
          callbackURL,
          returnTo,
          tenant: registration.tenant,
        };
        states.store(req, meta, (error: Error | null, state: string) => {
          if (error) return this.error(error);
          this.redirect(
            app.client.getAuthorizeUrl(callbackURL, scope, {
              ...this.authorizationParams(options),
              state,
            }),
          );
        });
      })
      .catch((error: unknown) => this.error(error));
  }
}
