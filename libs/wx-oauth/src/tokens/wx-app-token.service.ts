import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import type { WXOAuth } from '../client/wx-oauth.client.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { LeasedTokens } from './leased-tokens.js';

/**
 * Each app's own access token (client credential), for the `/cgi-bin` APIs:
 * fetched through `/cgi-bin/stable_token`, kept in the store until shortly
 * before it expires (`tokenRefreshMargin`), and fetched once for all callers:
 * in this process through one promise per app, across instances through the
 * store's lease. `withToken` fetches again once when WeChat calls the token
 * invalid (40001, 42001): another system may have forced a new one.
 *
 * @publicApi
 */
@Injectable()
export class WxAppTokenService {
  private readonly tokens: LeasedTokens;

  constructor(
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_OPTIONS) settings: WxOAuthSettings,
    @Inject(WX_OAUTH_STORE) store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) clock: WxClock,
  ) {
    const { timeout, tokenRefreshMargin: refreshMargin } = settings;
    this.tokens = new LeasedTokens({ store, clock, timeout, refreshMargin });
  }

  /** A valid app token of `appid` (default: the app `WXOAuth` injects). */
  async getToken(appid?: string): Promise<string> {
    const wx = await this.apps.clientOf(appid);
    return this.tokens.get(tokenKey(wx), () => wx.getStableAccessToken());
  }

  /** Runs `call` with the app token, once more with a fresh one when WeChat refuses it. */
  async withToken<T>(appid: string | undefined, call: (token: string) => Promise<T>): Promise<T> {
    const wx = await this.apps.clientOf(appid);
    return this.tokens.withToken(tokenKey(wx), () => wx.getStableAccessToken(), call);
  }
}

function tokenKey(wx: WXOAuth): string {
  return `app-token:${wx.appid}`;
}
