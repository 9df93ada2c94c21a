import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError, WxReauthorizationRequiredError } from '../client/wx-oauth.error.js';
import type { WxAccessToken, WxLang, WxUserInfo } from '../client/wx-oauth.types.js';
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
 *
 * @publicApi
 */
@Injectable()
export class WxTokenService {
  private readonly store: WxTokenStore;
  private readonly refreshing = new Map<string, Promise<WxStoredToken>>();

  constructor(
    private readonly wx: WXOAuth,
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
  ) {
    this.store = options.tokenStore;
  }

  /** Saves a login's tokens with their absolute expiry times; a login starts a new refresh token's 30 days. */
  async save(token: WxAccessToken): Promise<WxStoredToken> {
    const stored = toStored(token, undefined);
    await this.store.set(this.wx.appid, token.openid, stored);
    return stored;
  }

  /** A valid access token for the user; throws `WxReauthorizationRequiredError` when only a new login can give one. */
  async getAccessToken(openid: string): Promise<string> {
    const stored = await this.load(openid);
    if (this.isFresh(stored)) return stored.accessToken;
    let pending = this.refreshing.get(openid);
    if (!pending) {
      pending = this.refresh(openid).finally(() => this.refreshing.delete(openid));
      this.refreshing.set(openid, pending);
    }
    return (await pending).accessToken;
  }

  /** The user's profile, with a valid token. */
  async getUserinfo(openid: string, lang?: WxLang): Promise<WxUserInfo> {
    return this.wx.getUserinfo(await this.getAccessToken(openid), openid, lang);
  }

  /** Whether WeChat accepts the user's token, refreshing it first if it has expired. */
  async checkAccessToken(openid: string): Promise<boolean> {
    return this.wx.checkAccessToken(await this.getAccessToken(openid), openid);
  }

  /** Forgets the user's tokens, e.g. on logout. */
  forget(openid: string): Promise<void> {
    return this.store.delete(this.wx.appid, openid);
  }

  private async refresh(openid: string): Promise<WxStoredToken> {
    // The lease outlives the WeChat call and its one retry.
    const leaseMs = this.options.timeout * 2 + 1000;
    const deadline = Date.now() + leaseMs * 2;
    for (;;) {
      const lockId = await this.store.lock(this.wx.appid, openid, leaseMs);
      if (lockId) {
        try {
          return await this.refreshHolding(openid, lockId);
        } finally {
          await this.store.unlock(this.wx.appid, openid, lockId).catch(() => undefined);
        }
      }
      // Another instance is refreshing: wait for its write.
      await sleep(WAIT_POLL_MS);
      const stored = await this.load(openid);
      if (this.isFresh(stored)) return stored;
      if (Date.now() > deadline) {
        throw new WxOAuthError('store_unavailable', 'Token store: gave up waiting for another instance to refresh the token');
      }
    }
  }

  private async refreshHolding(openid: string, lockId: string): Promise<WxStoredToken> {
    const current = await this.load(openid);
    if (this.isFresh(current)) return current; // refreshed by another instance meanwhile
    let token: WxAccessToken;
    try {
      if (current.refreshTokenExpiresAt <= Date.now()) throw new WxReauthorizationRequiredError(openid);
      token = await this.wx.refreshToken(current.refreshToken);
    } catch (error) {
      if (error instanceof WxOAuthError && error.kind === 'refresh_expired') {
        await this.store.delete(this.wx.appid, openid);
        throw error instanceof WxReauthorizationRequiredError ? error : new WxReauthorizationRequiredError(openid, error);
      }
      throw error;
    }
    const next = toStored(token, current);
    // A holder whose lease ran out leaves the store to the newer holder; its token is still valid to use.
    await this.store.setIfLocked(this.wx.appid, openid, next, lockId);
    return next;
  }

  private async load(openid: string): Promise<WxStoredToken> {
    const stored = await this.store.get(this.wx.appid, openid);
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
