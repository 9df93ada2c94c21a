import { Inject, Injectable } from '@nestjs/common';
import type { WxWeComClient } from '../client/wx-wecom.client.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { LeasedTokens, type FetchedToken } from '../store/leased-tokens.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';

/**
 * WeCom's corp tokens (`/cgi-bin/gettoken`), one per corpid and app secret
 * (two apps of one corp have two), kept in the store as the app tokens are
 * and fetched once across instances; a call WeCom answers 40014 or 42001 runs
 * once more with a fresh token.
 */
@Injectable()
export class WxWeComTokens {
  private readonly tokens: LeasedTokens;

  constructor(
    @Inject(WX_OAUTH_OPTIONS) settings: WxOAuthSettings,
    @Inject(WX_OAUTH_STORE) store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) clock: WxClock,
  ) {
    this.tokens = new LeasedTokens(store, clock, {
      // The lease outlives the WeCom call and its one retry.
      leaseMs: settings.timeout * 2 + 1000,
      refreshMargin: settings.tokenRefreshMargin,
    });
  }

  /** Runs `call` with the corp token of `client`'s app. */
  withToken<T>(client: WxWeComClient, call: (token: string) => Promise<T>): Promise<T> {
    return this.tokens.withToken(
      `wecom-token:${client.tokenKey}`,
      () => fetchToken(client),
      "WeCom's corp token",
      call,
    );
  }
}

async function fetchToken(client: WxWeComClient): Promise<FetchedToken> {
  const answer = await client.getToken();
  return { token: answer.access_token, expiresIn: answer.expires_in };
}
