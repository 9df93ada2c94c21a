import { randomUUID } from 'node:crypto';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { systemClock, type WxClock } from '../utils/clock.js';
import { TtlMap } from '../utils/ttl-map.js';
import type { WxOAuthStore } from './wx-oauth-store.interface.js';

export interface WxMemoryStoreOptions {
  /** How many values (users' tokens) to keep, past which the oldest go; ten times as many single-use records. @default 10000 */
  maxEntries?: number;
}

/**
 * The default store: this process's memory, bounded. Lost on restart and not
 * shared between instances: use `WxRedisStore` for those.
 *
 * @publicApi
 */
export class WxMemoryStore implements WxOAuthStore {
  private readonly values: TtlMap<string, string>;
  private readonly claims: TtlMap<string, string>;
  private readonly leases: TtlMap<string, string>;

  constructor(options: WxMemoryStoreOptions = {}, clock: WxClock = systemClock) {
    const max = options.maxEntries ?? 10_000;
    const now = () => clock.now();
    this.values = new TtlMap(max, now);
    // A forgotten single-use record could be used again, so a full claim map refuses instead.
    this.claims = new TtlMap(max * 10, now, false);
    this.leases = new TtlMap(max, now);
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key) ?? this.claims.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.claims.delete(key);
  }

  async claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const earlier = this.claims.get(key);
    if (earlier === undefined && !this.claims.set(key, value, ttlMs)) {
      throw new WxOAuthError(
        'store_unavailable',
        'WxMemoryStore is full of unfinished logins; use WxRedisStore at this rate',
      );
    }
    return earlier;
  }

  async lock(key: string, leaseMs: number): Promise<string | undefined> {
    if (this.leases.get(key) !== undefined) return undefined;
    const id = randomUUID();
    this.leases.set(key, id, leaseMs);
    return id;
  }

  async setIfLocked(key: string, value: string, ttlMs: number, lockId: string): Promise<boolean> {
    if (this.leases.get(key) !== lockId) return false;
    this.values.set(key, value, ttlMs);
    return true;
  }

  async unlock(key: string, lockId: string): Promise<void> {
    if (this.leases.get(key) === lockId) this.leases.delete(key);
  }

  /**
   * The entries it holds (values, single-use records and leases), expired ones not yet dropped
   * included: what its memory grows with, for a metric beside `maxEntries`.
   */
  get size(): number {
    return this.values.size + this.claims.size + this.leases.size;
  }
}
