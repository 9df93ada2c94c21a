import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import { naming } from '../apps/wx-registration.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxUserByCode } from '../client/wx-oauth.types.js';
import { WxFollowLogin } from '../follow/wx-follow-login.js';
import { WxMiniProgramLogin } from '../mini-program/wx-mini-program-login.js';
import { type WxStateApp, WxStateStore } from '../state/wx-state.store.js';
import { WxTokenService } from '../tokens/wx-token.service.js';
import { WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../wx-oauth.options.js';
import { DuplicateCallbacks } from './duplicate-callbacks.js';
import { toWxProfile, type WxProfile } from './wx-profile.js';

/** What a callback's exchange gives: WeChat's answer, and the app it came from. */
export interface WxLoginResult extends WxUserByCode {
  appid: string;
}

/**
 * What the WeChat strategy runs on: the module's settings, its apps, the login
 * state, the code exchange and the tokens. The one constructor argument of
 * `WxStrategy`, so that an app's own subclass passes it on with `super(login)`.
 *
 * @publicApi
 */
@Injectable()
export class WxLogin {
  constructor(
    @Inject(WX_OAUTH_OPTIONS) readonly settings: WxOAuthSettings,
    readonly apps: WxOAuthApps,
    readonly states: WxStateStore,
    private readonly duplicates: DuplicateCallbacks,
    private readonly tokens: WxTokenService,
    /** The follow-to-log-in QR login, which the strategy completes on a `@WxFollowLoginRoute()` route. */
    readonly follow: WxFollowLogin,
    /** The mini-program login, which the strategy runs on a `@WxMiniProgramLoginRoute()` route. */
    readonly miniProgram: WxMiniProgramLogin,
  ) {}

  /**
   * Exchanges a callback's code with the app whose state it brings, then
   * fetches the profile when the granted scope allows; a duplicate callback
   * shares the first one's exchange.
   */
  exchange(code: string, app: WxStateApp | undefined, state: string): Promise<WxLoginResult> {
    return this.duplicates.share(state, code, () => this.exchangeWith(app, code));
  }

  /** The login's profile, its tokens saved for `WxTokenService`. */
  async profileOf(result: WxLoginResult): Promise<WxProfile> {
    const profile = toWxProfile(result, this.settings.idField, result.appid);
    await this.tokens.save(result.token, result.appid);
    return profile;
  }

  private async exchangeWith(
    stateApp: WxStateApp | undefined,
    code: string,
  ): Promise<WxLoginResult> {
    // A signed state names an app of this registration (of its tenant), unless the registration changed since.
    const app = await this.apps.byAppid(stateApp?.appid, stateApp?.tenant);
    if (!app)
      throw new WxOAuthError(
        'invalid_state',
        'Login state names an app this site no longer has; please log in again',
      );
    const answer = await naming(app, app.client.getUserByCode(code, this.settings.lang));
    return { ...answer, appid: app.client.appid };
  }
}
