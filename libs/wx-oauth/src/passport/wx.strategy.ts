import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import type { oauth2tokenCallback } from 'oauth';
import type { StrategyCreatedStatic } from 'passport';
import { Strategy as OAuth2Strategy, type StateStore } from 'passport-oauth2';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope, WxUserByCode } from '../client/wx-oauth.types.js';
import { WxStateStore } from '../state/wx-state.store.js';
import { WxTokenService } from '../tokens/wx-token.service.js';
import { TtlMap } from '../utils/ttl-map.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';
import { toWxProfile } from './wx-profile.js';

type GetOAuthAccessToken = (code: string, params: { wxState?: string }, callback: oauth2tokenCallback) => void;
type AuthenticateOptions = { scope?: WxScope; wxState?: string };

/** How long one code's exchange is shared with a duplicate callback, which comes within a second or two. */
const DUPLICATE_CALLBACK_WINDOW_MS = 10_000;

/**
 * Passport strategy `'wechat'` on passport-oauth2, with WeChat's differences
 * delegated to `WXOAuth`: the authorize URL in WeChat's order, the code exchange
 * as a GET with appid/secret, and the userinfo fetch, which needs the openid.
 *
 * @publicApi
 */
@Injectable()
export class WxStrategy extends PassportStrategy(OAuth2Strategy, WX_OAUTH_STRATEGY, true) {
  // WeChat may call the callback twice with one code; a second exchange would
  // get 40163, so both requests share the first one's result.
  private readonly exchanges = new TtlMap<string, Promise<WxUserByCode>>(10_000);
  private readonly stateStore: WxStateStore;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
    private readonly wx: WXOAuth,
    private readonly tokens: WxTokenService,
  ) {
    const stateStore = new WxStateStore({
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
      store: stateStore as unknown as StateStore, // implements the (req, meta, callback) arity only
      skipUserProfile: true,
    });
    const getAccessToken: GetOAuthAccessToken = (code, params, callback) => {
      this.exchange(code, params.wxState ?? '').then(
        (result) => callback(null as never, result.token.access_token, result.token.refresh_token, result),
        (error: Error) => callback(error),
      );
    };
    this.stateStore = stateStore;
    this._oauth2.getOAuthAccessToken = getAccessToken as typeof this._oauth2.getOAuthAccessToken;
  }

  override authenticate(req: Request, options: AuthenticateOptions = {}): void {
    const self = this as this & StrategyCreatedStatic;
    if (!req.query?.code) {
      // WeChat's denial brings the browser back with a state and no code (or not at
      // all); passport-oauth2 would read that as a new login and loop.
      if (req.query?.state !== undefined) {
        return self.error(new WxOAuthError('denied', 'The login was not authorised in WeChat'));
      }
      return this.redirectToWeChat(self, req, options.scope ?? this.options.scope);
    }
    super.authenticate(req, { ...options, wxState: String(req.query.state ?? '') });
  }

  /** Hands the callback's state to the exchange through passport-oauth2's token params. */
  override tokenParams(options: AuthenticateOptions): object {
    return { wxState: options.wxState };
  }

  /** passport-oauth2's verify callback; its arity (4 here) makes it pass the token params. */
  async validate(_accessToken: string, _refreshToken: string, result: WxUserByCode, _profile: unknown): Promise<unknown> {
    const profile = toWxProfile(result, this.options.idField);
    await this.tokens.save(result.token);
    return this.options.validate ? this.options.validate(profile, result.token) : profile;
  }

  /**
   * One exchange per (state, code). Keyed on both so that a leaked code replayed
   * with another login's state still goes to WeChat, which refuses it (40163).
   */
  private exchange(code: string, state: string): Promise<WxUserByCode> {
    const key = `${state}.${code}`;
    let pending = this.exchanges.get(key);
    if (!pending) {
      pending = this.wx.getUserByCode(code, this.options.lang);
      this.exchanges.set(key, pending, DUPLICATE_CALLBACK_WINDOW_MS);
    }
    return pending;
  }

  /**
   * Starts a login. passport-oauth2 would build a generic URL (client_id, any
   * order); WeChat needs its own, so the state is stored and WXOAuth builds it.
   */
  private redirectToWeChat(self: this & StrategyCreatedStatic, req: Request, scope: WxScope): void {
    this.stateStore.store(req, undefined, (error, state) => {
      if (error) return self.error(error);
      try {
        self.redirect(this.wx.getAuthorizeUrl(this.options.callbackURL, scope, { state }));
      } catch (urlError) {
        self.error(urlError);
      }
    });
  }
}
