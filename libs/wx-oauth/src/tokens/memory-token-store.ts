import { randomUUID } from 'node:crypto';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { TtlMap } from '../utils/ttl-map.js';
import type { WxStoredToken, WxTokenStore } from './wx-token-store.js';

export interface MemoryTokenStoreOptions {
  /** How many users' tokens to keep, past which the oldest go; ten times as many unfinished logins are tracked. @default 10000 */
  maxEntries?: number;
}

/**
 * The default store: this process's memory, bounded. Tokens are lost on restart
 * and not shared between instances: use `RedisTokenStore` for those.
 *
 * @publicApi
 */
export class MemoryTokenStore implements WxTokenStore {
  private readonly tokens: TtlMap<string, WxStoredToken>;
  private readonly claims: TtlMap<string, string>;
  private readonly locks: TtlMap<string, string>;

  constructor(options: MemoryTokenStoreOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    this.tokens = new TtlMap(max);
    // A forgotten single-use record could be used again, so a full claim map refuses instead.
    this.claims = new TtlMap(max * 10, Date.now, false);
    this.locks = new TtlMap(max);
  }

  async get(appid: string, openid: string): Promise<WxStoredToken | undefined> {
    return this.tokens.get(key(appid, openid));
  }

  async set(appid: string, openid: string, token: WxStoredToken): Promise<void> {
    this.tokens.set(key(appid, openid), token, token.refreshTokenExpiresAt - Date.now());
  }

  async delete(appid: string, openid: string): Promise<void> {
    this.tokens.delete(key(appid, openid));
  }

  async claim(claimKey: string, value: string, ttlMs: number): Promise<string | undefined> {
    const earlier = this.claims.get(claimKey);
    if (earlier === undefined && !this.claims.set(claimKey, value, ttlMs)) {
      throw new WxOAuthError('store_unavailable', 'MemoryTokenStore is full of unfinished logins; use RedisTokenStore at this rate');
    }
    return earlier;
  }

  async lock(appid: string, openid: string, leaseMs: number): Promise<string | undefined> {
    const lockKey = key(appid, openid);
    if (this.locks.get(lockKey) !== undefined) return undefined;
    const id = randomUUID();
    this.locks.set(lockKey, id, leaseMs);
    return id;
  }

  async setIfLocked(appid: string, openid: string, token: WxStoredToken, lockId: string): Promise<boolean> {
    if (this.locks.get(key(appid, openid)) !== lockId) return false;
    await this.set(appid, openid, token);
    return true;
  }

  async unlock(appid: string, openid: string, lockId: string): Promise<void> {
    if (this.locks.get(key(appid, openid)) === lockId) this.locks.delete(key(appid, openid));
  }
}

function key(appid: string, openid: string): string {
  return `${appid}:${openid}`;
}
