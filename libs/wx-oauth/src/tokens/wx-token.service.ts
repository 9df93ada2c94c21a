import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthApps } from '../apps/wx-oauth-apps.js';
import type { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError, WxReauthorizationRequiredError } from '../client/wx-oauth.error.js';
import type { WxAccessToken, WxLang, WxUserInfo } from '../client/wx-oauth.types.js';
import { underLease } from '../store/under-lease.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS, WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import type { WxStoredToken } from './wx-stored-token.js';

const REFRESH_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Keeps each user's WeChat tokens and hands out a valid access token, refreshing
 * it when it has expired or is about to. Concurrent callers share one refresh:
 * in this process through one promise per user, across processes through the
 * store's lease, whose fencing check keeps a late holder from overwriting.
 * Tokens are kept per app: an openid belongs to one app (`profile.appid`); the
 * `appid` parameters default to the app `WXOAuth` injects (with tenants, name it).
 *
 * @publicApi
 */
@Injectable()
export class WxTokenService {
  private readonly refreshing = new Map<string, Promise<WxStoredToken>>();

  constructor(
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
    @Inject(WX_OAUTH_CLOCK) private readonly clock: WxClock,
  ) {}

  /** Saves a login's tokens with their absolute expiry times; a login starts a new refresh token's 30 days. */
  async save(token: WxAccessToken, appid?: string): Promise<WxStoredToken> {
    const stored = this.toStored(token, undefined);
    const key = tokenKey(appid ?? (await this.apps.clientOf(undefined)).appid, token.openid);
    await this.store.set(key, JSON.stringify(stored), this.ttlOf(stored));
    return stored;
  }

  /** A valid access token for the user; throws `WxReauthorizationRequiredError` when only a new login can give one. */
  async getAccessTokenFor(openid: string, appid?: string): Promise<string> {
    const wx = await this.apps.clientOf(appid);
    const stored = await this.load(wx, openid);
    if (this.isFresh(stored)) return stored.accessToken;
    const key = tokenKey(wx.appid, openid);
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = this.refresh(wx, openid).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return (await pending).accessToken;
  }

  /** The user's profile, with a valid token. */
  async getUserinfoFor(
    openid: string,
    options: { appid?: string; lang?: WxLang } = {},
  ): Promise<WxUserInfo> {
    const wx = await this.apps.clientOf(options.appid);
    return wx.getUserinfo(await this.getAccessTokenFor(openid, wx.appid), openid, options.lang);
  }

  /** Whether WeChat accepts the user's token, refreshing it first if it has expired. */
  async checkAccessTokenFor(openid: string, appid?: string): Promise<boolean> {
    const wx = await this.apps.clientOf(appid);
    return wx.checkAccessToken(await this.getAccessTokenFor(openid, wx.appid), openid);
  }

  /** Forgets the user's tokens, e.g. on logout. */
  async forget(openid: string, appid?: string): Promise<void> {
    await this.store.delete(tokenKey((await this.apps.clientOf(appid)).appid, openid));
  }

  private refresh(wx: WXOAuth, openid: string): Promise<WxStoredToken> {
    return underLease(this.store, this.clock, tokenKey(wx.appid, openid), {
      // The lease outlives the WeChat call and its one retry.
      leaseMs: this.settings.timeout * 2 + 1000,
      produce: (lockId) => this.refreshHolding(wx, openid, lockId),
      written: async () => {
        const stored = await this.load(wx, openid);
        return this.isFresh(stored) ? stored : undefined;
      },
      waitingFor: 'to refresh the token',
    });
  }

  private async refreshHolding(
    wx: WXOAuth,
    openid: string,
    lockId: string,
  ): Promise<WxStoredToken> {
    const current = await this.load(wx, openid);
    if (this.isFresh(current)) return current; // refreshed by another instance meanwhile
    let token: WxAccessToken;
    try {
      if (current.refreshTokenExpiresAt <= this.clock.now())
        throw new WxReauthorizationRequiredError(openid);
      token = await wx.refreshToken(current.refreshToken);
    } catch (error) {
      if (error instanceof WxOAuthError && error.kind === 'refresh_expired') {
        await this.store.delete(tokenKey(wx.appid, openid));
        throw error instanceof WxReauthorizationRequiredError
          ? error
          : new WxReauthorizationRequiredError(openid, error);
      }
      throw error;
    }
    const next = this.toStored(token, current);
    // A holder whose lease ran out leaves the store to the newer holder; its token is still valid to use.
    await this.store.setIfLocked(
      tokenKey(wx.appid, openid),
      JSON.stringify(next),
      this.ttlOf(next),
      lockId,
    );
    return next;
  }

  private async load(wx: WXOAuth, openid: string): Promise<WxStoredToken> {
    const json = await this.store.get(tokenKey(wx.appid, openid));
    if (!json) throw new WxReauthorizationRequiredError(openid);
    return JSON.parse(json) as WxStoredToken;
  }

  private isFresh(stored: WxStoredToken): boolean {
    return stored.accessTokenExpiresAt - this.settings.tokenRefreshMargin > this.clock.now();
  }

  /** Kept until its refresh token expires. */
  private ttlOf(stored: WxStoredToken): number {
    return stored.refreshTokenExpiresAt - this.clock.now();
  }

  private toStored(token: WxAccessToken, previous: WxStoredToken | undefined): WxStoredToken {
    const now = this.clock.now();
    // Refresh answers the same refresh token, whose 30 days still count from the login.
    const sameRefreshToken = previous?.refreshToken === token.refresh_token;
    return {
      openid: token.openid,
      unionid: token.unionid ?? previous?.unionid,
      scope: token.scope,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessTokenExpiresAt: now + token.expires_in * 1000,
      refreshTokenExpiresAt: sameRefreshToken
        ? previous.refreshTokenExpiresAt
        : now + REFRESH_TOKEN_LIFETIME_MS,
    };
  }
}

function tokenKey(appid: string, openid: string): string {
  return `token:${appid}:${openid}`;
}
