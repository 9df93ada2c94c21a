import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope, WxUserByCode } from '../client/wx-oauth.types.js';
import type { WxLoginParams } from '../state/login-query.js';
import { WxStateStore, type WxStateInfo } from '../state/wx-state.store.js';
import { WxTokenService } from '../tokens/wx-token.service.js';
import { TtlMap } from '../utils/ttl-map.js';
import { WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';
import { toWxProfile } from './wx-profile.js';

/** The parsed query of a login route: the login start's `returnTo`, or WeChat's `code` and `state`. */
export type WxLoginQuery = Record<string, unknown>;

/** What a finished login puts on the request: the app's user and, as `authInfo`, what the state carried. */
export interface WxLoginResult {
  user: unknown;
  info: { state: WxStateInfo };
}

/** How long a finished exchange stays shared with a duplicate callback, which comes within a second or two. */
const DUPLICATE_CALLBACK_WINDOW_MS = 3_000;

/**
 * The login itself, shared by `WxAuthGuard` (which runs it directly) and
 * `WxStrategy` (which runs it inside passport): the state, the code exchange,
 * the profile, the token save and the app's `validate`.
 */
@Injectable()
export class WxLogin {
  readonly state: WxStateStore;
  // WeChat may call the callback twice with one code; a second exchange would
  // get 40163, so both requests share the first one's result.
  private readonly exchanges = new TtlMap<string, Promise<WxUserByCode>>(10_000);

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
    private readonly wx: WXOAuth,
    private readonly tokens: WxTokenService,
  ) {
    this.state = new WxStateStore({
      key: options.stateKey,
      ttlMs: options.stateTtl,
      secure: options.callbackURL.startsWith('https:'),
      store: options.tokenStore,
      appid: options.appid,
    });
  }

  /** WeChat's callback brings a code, or on a denial the state alone; anything else starts a login. */
  isCallback(query: WxLoginParams): boolean {
    return Boolean(query.code) || query.state !== undefined;
  }

  /** Starts a login: sets the state cookie on `res` and answers the URL to send the browser to. */
  start(query: WxLoginParams, req: Pick<IncomingMessage, 'headers'>, res: ServerResponse, scope: WxScope = this.options.scope): string {
    const state = this.state.issue(query.returnTo, req, res);
    return this.wx.getAuthorizeUrl(this.options.callbackURL, scope, { state });
  }

  /** Finishes a login on WeChat's callback: state, exchange, profile, tokens, `validate`. */
  async finish(query: WxLoginParams, req: Pick<IncomingMessage, 'headers'>, res: ServerResponse): Promise<WxLoginResult> {
    const code = query.code;
    if (!code) throw loginDenied();
    const state = await this.state.consume(query.state, code, req, res);
    const user = await this.complete(await this.exchange(code, String(query.state)));
    return { user, info: { state } };
  }

  /**
   * One exchange per (state, code). Keyed on both so that a leaked code replayed
   * with another login's state still goes to WeChat, which refuses it (40163).
   */
  exchange(code: string, state: string): Promise<WxUserByCode> {
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

  /** Turns WeChat's answer into the app's user: the profile, the tokens saved, then `validate`. */
  async complete(result: WxUserByCode): Promise<unknown> {
    const profile = toWxProfile(result, this.options.idField);
    await this.tokens.save(result.token);
    return this.options.validate ? this.options.validate(profile, result.token) : profile;
  }
}

/** WeChat's denial: the browser comes back with the state and no code. */
export function loginDenied(): WxOAuthError {
  return new WxOAuthError('denied', 'The login was not authorised in WeChat');
}
