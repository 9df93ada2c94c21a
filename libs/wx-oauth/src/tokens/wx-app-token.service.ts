import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import type { WXOAuth } from '../client/wx-oauth.client.js';
import { LeasedTokens, type FetchedToken } from '../store/leased-tokens.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';

/**
 * Each app's own access token (client credential), for the `/cgi-bin` APIs:
 * fetched through `/cgi-bin/stable_token` (a merchant's served through the
 * third-party platform: `api_authorizer_token`), kept in the store until
 * shortly before it expires (`tokenRefreshMargin`), and fetched once for all
 * callers: in this process through one promise per app, across instances
 * through the store's lease. `withToken` fetches again once when WeChat calls
 * the token invalid (40001, 42001): another system may have forced a new one.
 * A merchant that revoked its authorisation gets `authorizer_revoked` (403),
 * its kept token included.
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
    this.tokens = new LeasedTokens(store, clock, {
      // The lease outlives the WeChat call and its one retry.
      leaseMs: settings.timeout * 2 + 1000,
      refreshMargin: settings.tokenRefreshMargin,
    });
  }

  /** A valid app token of `appid` (default: the app `WXOAuth` injects). */
  async getToken(appid?: string): Promise<string> {
    const wx = await this.apps.servingClientOf(appid);
    return this.tokens.get(tokenKey(wx), () => fetchToken(wx), WHAT);
  }

  /** Runs `call` with the app token, once more with a fresh one when WeChat refuses it. */
  async withToken<T>(appid: string | undefined, call: (token: string) => Promise<T>): Promise<T> {
    const wx = await this.apps.servingClientOf(appid);
    return this.tokens.withToken(tokenKey(wx), () => fetchToken(wx), WHAT, call);
  }
}

const WHAT = "the app's access token";

/** The app's token: its own (`stable_token`), or a merchant's through the platform. */
async function fetchToken(wx: WXOAuth): Promise<FetchedToken> {
  const answer = await wx.getStableAccessToken();
  return { token: answer.access_token, expiresIn: answer.expires_in };
}

function tokenKey(wx: WXOAuth): string {
  return `app-token:${wx.appid}`;
}
