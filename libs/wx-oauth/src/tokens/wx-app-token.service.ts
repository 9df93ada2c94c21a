import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import type { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { underLease } from '../store/under-lease.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';

/** An app token as the store keeps it. */
interface StoredAppToken {
  token: string;
  /** When to fetch again: `tokenRefreshMargin` before expiry, or half-way for a token near its end. */
  refreshAt: number;
}

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
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
  ) {}

  /** A valid app token of `appid` (default: the app `WXOAuth` injects). */
  async getToken(appid?: string): Promise<string> {
    const wx = await this.apps.clientOf(appid);
    const stored = await this.load(wx.appid);
    if (stored) return stored.token;
    let pending = this.fetching.get(wx.appid);
    if (!pending) {
      pending = this.fetch(wx).finally(() => this.fetching.delete(wx.appid));
      this.fetching.set(wx.appid, pending);
    }
    return pending;
  }

  /** Runs `call` with the app token, once more with a fresh one when WeChat refuses it. */
  async withToken<T>(appid: string | undefined, call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.getToken(appid);
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WxOAuthError) || error.kind !== 'invalid_token') throw error;
      await this.forget((await this.apps.clientOf(appid)).appid, token);
      return call(await this.getToken(appid));
    }
  }

  private fetch(wx: WXOAuth): Promise<string> {
    return underLease(this.store, this.clock, tokenKey(wx.appid), {
      // The lease outlives the WeChat call and its one retry.
      leaseMs: this.settings.timeout * 2 + 1000,
      produce: (lockId) => this.fetchHolding(wx, lockId),
      written: async () => (await this.load(wx.appid))?.token,
      waitingFor: "to fetch the app's access token",
    });
  }

  private async fetchHolding(wx: WXOAuth, lockId: string): Promise<string> {
    const current = await this.load(wx.appid);
    if (current) return current.token; // fetched by another instance meanwhile
    const answer = await wx.getStableAccessToken();
    const lifeMs = answer.expires_in * 1000;
    const refreshAt =
      this.clock.now() + Math.max(lifeMs - this.settings.tokenRefreshMargin, lifeMs / 2);
    const stored: StoredAppToken = { token: answer.access_token, refreshAt };
    const ttlMs = Math.max(this.ttlOf(stored), 1);
    await this.store.setIfLocked(tokenKey(wx.appid), JSON.stringify(stored), ttlMs, lockId);
    return stored.token;
  }

  /** The stored token while it is fresh. */
  private async load(appid: string): Promise<StoredAppToken | undefined> {
    const json = await this.store.get(tokenKey(appid));
    const stored = json ? (JSON.parse(json) as StoredAppToken) : undefined;
    return stored && this.ttlOf(stored) > 0 ? stored : undefined;
  }

  /** Drops `token` unless another caller has stored a newer one already. */
  private async forget(appid: string, token: string): Promise<void> {
    const stored = await this.load(appid);
    if (stored?.token === token) await this.store.delete(tokenKey(appid));
  }

  private ttlOf(stored: StoredAppToken): number {
    return stored.refreshAt - this.clock.now();
  }
}

function tokenKey(appid: string): string {
  return `app-token:${appid}`;
}
