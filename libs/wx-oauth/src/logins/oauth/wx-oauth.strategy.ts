import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import { WxOAuthError } from '../../client/wx-oauth.error.js';
import { WX_SCOPES, type WxAuthorizeParams, type WxScope } from '../../client/wx-oauth.types.js';
import { asHttpError } from '../../errors/wx-http-exception.js';
import {
  assertCallbackHost,
  assertLoginMethod,
  callbackPathOf,
  isCallbackRoute,
  type LoginRequest,
  readLoginQuery,
} from '../../http/login-request.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import { oauthProfile } from '../../profile/wx-profile.js';
import { WxValidation } from '../../profile/wx-validation.js';
import { type WxStateApp, type WxStateMeta, WxStateStore } from '../../state/wx-state.store.js';
import { WxTokenService } from '../../tokens/wx-token.service.js';
import { isDevelopment } from '../../utils/node-env.js';
import { WX_OAUTH_OPTIONS, WX_STRATEGIES } from '../../wx-oauth.constants.js';
import { WxCodeExchange, type WxLoginResult } from './wx-code-exchange.js';
import { WxOAuth2TokenRequest, type WxTokenParams } from './oauth2-token-request.js';

/**
 * What a guard's `getAuthenticateOptions(context)` may set per request of an
 * OAuth2 login.
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
  /**
   * `WxAuthGuard`'s redirect after a failed login on this route, with `?wx_error=<kind>`; a login
   * whose `returnTo` is on a front-end origin goes back there instead. @default the module's
   */
  failureRedirect?: string;
}

type PassportRequest = Parameters<OAuth2Strategy['authenticate']>[0];
type CallbackOptions = WxAuthenticateOptions & {
  wxApp?: WxStateApp;
  wxState?: string;
  wxCallbackAppid?: string;
};

/**
 * The Passport strategy `'wechat'`: WeChat's browser login (inside WeChat, the
 * website QR page, the embedded QR code), passport-oauth2 extended by its
 * documented hooks. The login start mints the state through the state store
 * and redirects to WeChat's own authorize URL (its parameter order and
 * `#wechat_redirect`, which passport-oauth2's generic URL breaks). On the
 * callback route passport-oauth2 runs as it is: the store's `verify()`, the
 * token request (`_oauth2`, WeChat's GET exchange, given the app by
 * `tokenParams`), then `validate` with the exchange's result. Every failure
 * reaches passport as an HTTP error carrying WeChat's errcode, so that any
 * AuthGuard answers 4xx/502/503/504, never 500.
 */
@Injectable()
export class WxOAuthStrategy extends PassportStrategy(OAuth2Strategy, WX_STRATEGIES.oauth, 5) {
  // What passport gives the copy of the strategy each request runs on.
  declare error: (err: unknown) => void;
  declare redirect: (url: string, status?: number) => void;
  /** The module's callback route, parsed once; none without a browser login (a mini-program only). */
  private readonly callbackPath?: string;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly apps: WxOAuthApps,
    private readonly states: WxStateStore,
    private readonly tokens: WxTokenService,
    private readonly validation: WxValidation,
    exchange: WxCodeExchange,
  ) {
    const tokenURL = `${settings.apiBaseUrl}/sns/oauth2/access_token`;
    // passport-oauth2 wants one; each login names its own app (`WxStateMeta.clientID`).
    const clientID = apps.primary?.appid ?? 'per-tenant';
    super({
      authorizationURL: `${settings.openBaseUrl}/connect/oauth2/authorize`,
      tokenURL,
      clientID,
      // Each app's secret stays in its WXOAuth client, which makes the token request (WxOAuth2TokenRequest).
      clientSecret: '',
      callbackURL: settings.callbackURL,
      store: states,
      // The profile comes with the token request: WeChat's userinfo needs the openid, which userProfile() never sees.
      skipUserProfile: true,
    });
    this.callbackPath = settings.callbackURL && callbackPathOf(settings.callbackURL);
    this._oauth2 = new WxOAuth2TokenRequest(exchange, clientID, tokenURL);
  }

  /** passport-oauth2's verify (arity 5, so that it hands over the exchange's result): the profile, its tokens saved, to the app's user. */
  async validate(
    _accessToken: string,
    _refreshToken: string,
    result: WxLoginResult,
    _profile: unknown,
  ): Promise<unknown> {
    const profile = oauthProfile(result, this.settings.idField, result.appid);
    await this.tokens.save(result.token, result.appid);
    return this.validation.userOf(profile, result.token);
  }

  override authenticate(req: PassportRequest, options: WxAuthenticateOptions = {}): void {
    // Request-local (passport runs each request on its own copy): failures reach passport as HTTP errors.
    const passportError = this.error;
    this.error = (error: unknown) => passportError(asHttpError(error));
    try {
      assertLoginMethod(req.method);
      const { code, state, returnTo, error, appid } = readLoginQuery(req.query);
      // A guard's scope may be another login kind's (WeCom's, as WxAuthGuardOptions allows): WeChat would refuse it.
      if (options.scope !== undefined && !WX_SCOPES.includes(options.scope))
        throw new WxOAuthError(
          'invalid_request',
          `WeChat's scope is snsapi_base, snsapi_userinfo or snsapi_login, not ${String(options.scope).slice(0, 32)}`,
        );
      const callbackPath = options.callbackURL
        ? callbackPathOf(options.callbackURL)
        : this.callbackPath;
      const isCallback = callbackPath !== undefined && isCallbackRoute(req, callbackPath);
      if (!isCallback || (code === undefined && state === undefined))
        return this.start(req, options, options.returnTo ?? returnTo);
      // WeChat's denial brings the browser back with the state and no code.
      if (!code || error !== undefined)
        return this.error(new WxOAuthError('denied', 'The login was not authorised in WeChat'));
      const callbackOptions: CallbackOptions = {
        ...options,
        callbackURL: options.callbackURL ?? this.settings.callbackURL,
        wxApp: this.states.appOf(req, state),
        wxState: state,
        wxCallbackAppid: appid,
      };
      super.authenticate(req, callbackOptions);
    } catch (error) {
      this.error(error);
    }
  }

  /** Extra parameters of WeChat's authorize URL, e.g. `{ forcePopup: true }`. @default none */
  override authorizationParams(_options: WxAuthenticateOptions): WxAuthorizeParams {
    return {};
  }

  /** Hands the token request the callback's state, the app its cookie names and the appid WeChat added. */
  override tokenParams(options: CallbackOptions): WxTokenParams {
    return { app: options.wxApp, state: options.wxState, callbackAppid: options.wxCallbackAppid };
  }

  /**
   * Mints the state through the store, and sends the browser to the authorize
   * URL of the request's registration (its tenant's, with `tenants`); refuses a
   * login with no app for it, or with a merchant's app that revoked its
   * authorisation of the third-party platform.
   */
  private start(req: LoginRequest, options: WxAuthenticateOptions, returnTo: unknown): void {
    const { settings, states } = this;
    this.apps
      .forRequest(req)
      .then(async (registration) => {
        const { scope, app } = registration.forLogin(
          req.headers['user-agent'],
          settings.scope,
          options.scope,
        );
        await this.apps.assertServing(app);
        const callbackURL = (options.callbackURL ?? registration.callbackURL)!; // set wherever a browser app is (the options' check)
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
