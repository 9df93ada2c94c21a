import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxClock } from '../utils/clock.js';
import { underLease } from './under-lease.js';
import type { WxOAuthStore } from './wx-oauth-store.interface.js';

/** A token WeChat answered: the token and its life. */
export interface FetchedToken {
  token: string;
  /** Seconds, as WeChat's `expires_in`. */
  expiresIn: number;
}

/** A token as the store keeps it. */
interface StoredToken {
  token: string;
  /** When to fetch again: `refreshMargin` before expiry, or half-way for a token near its end. */
  refreshAt: number;
}

export interface LeasedTokensOptions {
  /** How long a holder may take to fetch: its WeChat call and that call's retry. */
  leaseMs: number;
  /** Fetch again this many milliseconds before a token expires. */
  refreshMargin: number;
}

/**
 * Tokens that are an app's or a platform's, not a user's (the app token, the
 * platform's `component_access_token`, a merchant's authorizer token, WeCom's
 * corp token): kept in
 * the store under their key until shortly before they expire, and fetched once
 * for all callers: in this process through one promise per key, across
 * instances through the store's lease (`underLease`). `withToken` fetches again
 * once when WeChat calls the token invalid (`invalid_token`: 40001, 42001; WeCom's
 * 40014, 42001).
 */
export class LeasedTokens {
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly store: WxOAuthStore,
    private readonly clock: WxClock,
    private readonly options: LeasedTokensOptions,
  ) {}

  /** The fresh token under `key`, else one `fetch` answers, once across instances; `what` names it in a timeout ("the app's access token"). */
  async get(key: string, fetch: () => Promise<FetchedToken>, what: string): Promise<string> {
    const stored = await this.load(key);
    if (stored) return stored.token;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = underLease(this.store, this.clock, key, {
        leaseMs: this.options.leaseMs,
        produce: (lockId) => this.fetchHolding(key, fetch, lockId),
        written: async () => (await this.load(key))?.token,
        waitingFor: `to fetch ${what}`,
      }).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  /** Runs `call` with the token, once more with a new one when WeChat refuses it. */
  async withToken<T>(
    key: string,
    fetch: () => Promise<FetchedToken>,
    what: string,
    call: (token: string) => Promise<T>,
  ): Promise<T> {
    const token = await this.get(key, fetch, what);
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WxOAuthError) || error.kind !== 'invalid_token') throw error;
      await this.forget(key, token);
      return call(await this.get(key, fetch, what));
    }
  }

  /** Drops `token` unless another caller has stored a newer one already. */
  async forget(key: string, token: string): Promise<void> {
    const stored = await this.load(key);
    if (stored?.token === token) await this.store.delete(key);
  }

  private async fetchHolding(
    key: string,
    fetch: () => Promise<FetchedToken>,
    lockId: string,
  ): Promise<string> {
    const current = await this.load(key);
    if (current) return current.token; // fetched by another instance meanwhile
    const { token, expiresIn } = await fetch();
    const lifeMs = expiresIn * 1000;
    const refreshAt = this.clock.now() + Math.max(lifeMs - this.options.refreshMargin, lifeMs / 2);
    const stored: StoredToken = { token, refreshAt };
    const ttlMs = Math.max(this.ttlOf(stored), 1);
    // A holder whose lease ran out leaves the store to the newer holder; its token is still valid to use.
    await this.store.setIfLocked(key, JSON.stringify(stored), ttlMs, lockId);
    return token;
  }

  /** The stored token while it is fresh. */
  private async load(key: string): Promise<StoredToken | undefined> {
    const json = await this.store.get(key);
    const stored = json ? (JSON.parse(json) as StoredToken) : undefined;
    return stored && this.ttlOf(stored) > 0 ? stored : undefined;
  }

  private ttlOf(stored: StoredToken): number {
    return stored.refreshAt - this.clock.now();
  }
}
