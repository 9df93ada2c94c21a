import { WxOAuthError } from '../client/wx-oauth.error.js';
import { underLease } from '../store/under-lease.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';

/** A token as the store keeps it. */
interface StoredToken {
  token: string;
  /** When to fetch again: `refreshMargin` before expiry, or half-way for a token near its end. */
  refreshAt: number;
}

/** A client-credential token's answer: WeChat's app token, WeCom's corp token. */
export interface FetchedToken {
  access_token: string;
  expires_in: number;
}

export interface LeasedTokensOptions {
  store: WxOAuthStore;
  clock: WxClock;
  /** How long one fetch may take: the call and its one retry, each within this. */
  timeout: number;
  /** Fetch again this many milliseconds before a token expires. */
  refreshMargin: number;
}

/**
 * Tokens an app fetches with its own credentials (WeChat's app tokens,
 * WeCom's corp tokens), kept in the store under a key until shortly before
 * they expire, and fetched once for all callers: in this process through one
 * promise per key, across instances through the store's lease.
 */
export class LeasedTokens {
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(private readonly options: LeasedTokensOptions) {}

  /** The token under `key`, fetched by `fetch` when there is none fresh. */
  async get(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const stored = await this.load(key);
    if (stored) return stored.token;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.fetchOnce(key, fetch).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  /**
   * Runs `call` with the token under `key`, and once more with a fresh one when
   * the API calls it invalid (`invalid_token`): another system may have forced a new one.
   */
  async withToken<T>(
    key: string,
    fetch: () => Promise<FetchedToken>,
    call: (token: string) => Promise<T>,
  ): Promise<T> {
    const token = await this.get(key, fetch);
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WxOAuthError) || error.kind !== 'invalid_token') throw error;
      await this.forget(key, token);
      return call(await this.get(key, fetch));
    }
  }

  private fetchOnce(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    return underLease(this.options.store, this.options.clock, key, {
      // The lease outlives the call and its one retry.
      leaseMs: this.options.timeout * 2 + 1000,
      produce: (lockId) => this.fetchHolding(key, fetch, lockId),
      written: async () => (await this.load(key))?.token,
      waitingFor: 'to fetch the access token',
    });
  }

  private async fetchHolding(
    key: string,
    fetch: () => Promise<FetchedToken>,
    lockId: string,
  ): Promise<string> {
    const current = await this.load(key);
    if (current) return current.token; // fetched by another instance meanwhile
    const answer = await fetch();
    const lifeMs = answer.expires_in * 1000;
    const refreshAt =
      this.options.clock.now() + Math.max(lifeMs - this.options.refreshMargin, lifeMs / 2);
    const stored: StoredToken = { token: answer.access_token, refreshAt };
    const ttlMs = Math.max(this.ttlOf(stored), 1);
    await this.options.store.setIfLocked(key, JSON.stringify(stored), ttlMs, lockId);
    return stored.token;
  }

  /** The stored token while it is fresh. */
  private async load(key: string): Promise<StoredToken | undefined> {
    const json = await this.options.store.get(key);
    const stored = json ? (JSON.parse(json) as StoredToken) : undefined;
    return stored && this.ttlOf(stored) > 0 ? stored : undefined;
  }

  /** Drops `token` unless another caller has stored a newer one already. */
  private async forget(key: string, token: string): Promise<void> {
    const stored = await this.load(key);
    if (stored?.token === token) await this.options.store.delete(key);
  }

  private ttlOf(stored: StoredToken): number {
    return stored.refreshAt - this.options.clock.now();
  }
}
