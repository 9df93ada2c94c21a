import { createHash, randomBytes } from 'node:crypto';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';

/** 32 random bytes, base64url. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What redeeming a code found: its value, once; `used` when it was redeemed before. */
export interface Redeemed {
  value?: string;
  used: boolean;
}

/**
 * Random codes that stand for a record in the store and are redeemed once,
 * on any instance sharing it: the SPA handoff's code, the follow login's QR
 * scene. The store sees a digest, never a code that could still be redeemed.
 */
export class SingleUseCodes {
  constructor(
    private readonly store: WxOAuthStore,
    /** Names the records' keys: `handoff`, `follow`. */
    private readonly purpose: string,
  ) {}

  /** A new code: 256 random bits. */
  mint(): string {
    return randomBytes(32).toString('base64url');
  }

  /** Whether `code` can be one of these codes, before the store is asked. */
  isCode(code: unknown): code is string {
    return typeof code === 'string' && CODE_PATTERN.test(code);
  }

  /** Keeps `code`'s record for `ttlMs`. */
  async keep(code: string, value: string, ttlMs: number): Promise<void> {
    await this.store.set(this.keyOf(code), value, ttlMs);
  }

  /** `code`'s record, left in place; undefined when it is unknown, expired or redeemed. */
  peek(code: string): Promise<string | undefined> {
    return this.store.get(this.keyOf(code));
  }

  /**
   * `code`'s record, used up: the first redemption across instances gets it, a
   * later one `used`. A code never minted is only looked up, so that made-up
   * codes leave nothing in the store.
   */
  async redeem(code: string, ttlMs: number): Promise<Redeemed> {
    const key = this.keyOf(code);
    const value = await this.store.get(key);
    if (value === undefined) return { used: (await this.store.get(`${key}:used`)) !== undefined };
    if (await this.store.claim(`${key}:used`, '1', ttlMs)) return { used: true };
    await this.store.delete(key);
    return { value, used: false };
  }

  /** The key of `code`'s record, under which related records of the same code (a scan) may live. */
  keyOf(code: string): string {
    return `${this.purpose}:${createHash('sha256').update(code).digest('base64url')}`;
  }
}
