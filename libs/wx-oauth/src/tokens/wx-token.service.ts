import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError, WxReauthorizationRequiredError } from '../client/wx-oauth.error.js';
import type { WxAccessToken, WxLang, WxUserInfo } from '../client/wx-oauth.types.js';
import { WxOAuthApps } from '../wx-oauth.apps.js';
import { WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import type { ResolvedWxOAuthOptions } from '../wx-oauth.options.js';
import type { WxStoredToken, WxTokenStore } from './wx-token-store.js';

const REFRESH_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** How often a caller waiting for another process's refresh looks at the store. */
const WAIT_POLL_MS = 25;

/**
 * Keeps each user's WeChat tokens and hands out a valid access token, refreshing
 * it when it has expired or is about to. Concurrent callers share one refresh:
 * in this process through one promise per user, across processes through the
 * store's lease, whose fencing check keeps a late holder from overwriting.
 * Tokens are kept per app: an openid belongs to one app (`profile.appid`); the
 * `appid` parameters default to the app `WXOAuth` injects.
 *
 * @publicApi
 */
@Injectable()
export class WxTokenService {
  private readonly store: WxTokenStore;
  private readonly refreshing = new Map<string, Promise<WxStoredToken>>();

  constructor(
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
  ) {
    this.store = options.tokenStore;
  }

  /** Saves a login's tokens with their absolute expiry times; a login starts a new refresh token's 30 days. */
  async save(token: WxAccessToken, appid: string = this.apps.primary.appid): Promise<WxStoredToken> {
    const stored = toStored(token, undefined);
    await this.store.set(appid, token.openid, stored);
    return stored;
  }

  /** A valid access token for the user; throws `WxReauthorizationRequiredError` when only a new login can give one. */
  async getAccessToken(openid: string, appid?: string): Promise<string> {
    const wx = this.client(appid);
    const stored = await this.load(wx, openid);
    if (this.isFresh(stored)) return stored.accessToken;
    const key = `${wx.appid}:${openid}`;
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = this.refresh(wx, openid).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return (await pending).accessToken;
  }

  /** The user's profile, with a valid token. */
  async getUserinfo(openid: string, lang?: WxLang, appid?: string): Promise<WxUserInfo> {
    return this.client(appid).getUserinfo(await this.getAccessToken(openid, appid), openid, lang);
  }

  /** Whether WeChat accepts the user's token, refreshing it first if it has expired. */
  async checkAccessToken(openid: string, appid?: string): Promise<boolean> {
    return this.client(appid).checkAccessToken(await this.getAccessToken(openid, appid), openid);
  }

  /** Forgets the user's tokens, e.g. on logout. */
  forget(openid: string, appid?: string): Promise<void> {
    return this.store.delete(this.client(appid).appid, openid);
  }

  private client(appid: string | undefined): WXOAuth {
    if (appid === undefined) return this.apps.primary;
    const app = this.apps.byAppid(appid);
    if (!app) throw new WxOAuthError('invalid_request', `No app ${appid} is registered with WxOAuthModule`);
    return app.client;
  }

  private async refresh(wx: WXOAuth, openid: string): Promise<WxStoredToken> {
    // The lease outlives the WeChat call and its one retry.
    const leaseMs = this.options.timeout * 2 + 1000;
    const deadline = Date.now() + leaseMs * 2;
    for (;;) {
      const lockId = await this.store.lock(wx.appid, openid, leaseMs);
      if (lockId) {
        try {
          return await this.refreshHolding(wx, openid, lockId);
        } finally {
          await this.store.unlock(wx.appid, openid, lockId).catch(() => undefined);
        }
      }
      // Another instance is refreshing: wait for its write.
      await sleep(WAIT_POLL_MS);
      const stored = await this.load(wx, openid);
      if (this.isFresh(stored)) return stored;
      if (Date.now() > deadline) {
        throw new WxOAuthError('store_unavailable', 'Token store: gave up waiting for another instance to refresh the token');
      }
    }
  }

  private async refreshHolding(wx: WXOAuth, openid: string, lockId: string): Promise<WxStoredToken> {
    const current = await this.load(wx, openid);
    if (this.isFresh(current)) return current; // refreshed by another instance meanwhile
    let token: WxAccessToken;
    try {
      if (current.refreshTokenExpiresAt <= Date.now()) throw new WxReauthorizationRequiredError(openid);
      token = await wx.refreshToken(current.refreshToken);
    } catch (error) {
      if (error instanceof WxOAuthError && error.kind === 'refresh_expired') {
        await this.store.delete(wx.appid, openid);
        throw error instanceof WxReauthorizationRequiredError ? error : new WxReauthorizationRequiredError(openid, error);
      }
      throw error;
    }
    const next = toStored(token, current);
    // A holder whose lease ran out leaves the store to the newer holder; its token is still valid to use.
    await this.store.setIfLocked(wx.appid, openid, next, lockId);
    return next;
  }

  private async load(wx: WXOAuth, openid: string): Promise<WxStoredToken> {
    const stored = await this.store.get(wx.appid, openid);
    if (!stored) throw new WxReauthorizationRequiredError(openid);
    return stored;
  }

  private isFresh(stored: WxStoredToken): boolean {
    return stored.accessTokenExpiresAt - this.options.tokenRefreshMargin > Date.now();
  }
}

function toStored(token: WxAccessToken, previous: WxStoredToken | undefined): WxStoredToken {
  const now = Date.now();
  // Refresh answers the same refresh token, whose 30 days still count from the login.
  const sameRefreshToken = previous?.refreshToken === token.refresh_token;
  return {
    openid: token.openid,
    unionid: token.unionid ?? previous?.unionid,
    scope: token.scope,
    accessToken: token.access_token,
    refreshToken: token.refresh_token,
    accessTokenExpiresAt: now + token.expires_in * 1000,
    refreshTokenExpiresAt: sameRefreshToken ? previous.refreshTokenExpiresAt : now + REFRESH_TOKEN_LIFETIME_MS,
  };
}
