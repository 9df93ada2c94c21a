import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxTokenStore } from '../tokens/wx-token-store.js';
import { appendCookie, readCookie } from './cookies.js';
import { isSafeReturnTo } from './return-to.js';

export interface WxStateStoreOptions {
  /** HMAC key for the state cookie. */
  key: Buffer;
  /** How long a login may take, in milliseconds. */
  ttlMs: number;
  /** Mark the cookie `Secure` (the callback is https). */
  secure: boolean;
  /** Keeps the single-use records, shared by every instance of the app. */
  store: Pick<WxTokenStore, 'claim'>;
  /** Namespaces the records in a store that several apps share. */
  appid: string;
}

/** What a verified state hands to the app, as `req.authInfo.state`. */
export interface WxStateInfo {
  returnTo?: string;
}

type StateRequest = Pick<IncomingMessage, 'headers'>;

const COOKIE_PREFIX = 'wx_oauth_';
const NONCE_PATTERN = /^[0-9a-f]{32}$/;

/**
 * CSRF state without a session. The state WeChat carries is a 32-hex nonce
 * (WeChat takes only [A-Za-z0-9], 128 bytes at most); the browser that started
 * the login holds a signed cookie named after it, with the expiry and
 * `returnTo`, so any instance can finish a login another one started.
 * Single use: the token store records the nonce with the code that used it, so
 * only a duplicate of that same callback (WeChat sometimes sends two) passes.
 */
export class WxStateStore {
  constructor(private readonly options: WxStateStoreOptions) {}

  /** Mints the state for a new login and sets its cookie on `res`. */
  issue(returnTo: unknown, res: ServerResponse): string {
    if (returnTo !== undefined && !isSafeReturnTo(returnTo)) {
      throw new WxOAuthError('invalid_request', 'returnTo must be a relative path on this site, like /profile');
    }
    // A v4 UUID's 122 random bits, from node's pooled entropy, as 32 hex digits.
    const nonce = randomUUID().replaceAll('-', '');
    const expiresAt = Date.now() + this.options.ttlMs;
    const value = `${expiresAt.toString(36)}.${Buffer.from(returnTo ?? '').toString('base64url')}`;
    appendCookie(res, COOKIE_PREFIX + nonce, `${value}.${this.sign(nonce, value)}`, {
      maxAgeSeconds: Math.ceil(this.options.ttlMs / 1000),
      secure: this.options.secure,
    });
    return nonce;
  }

  /**
   * Verifies the callback's state against its cookie and uses it up, expiring
   * the cookie on `res`. Throws `invalid_state` for a missing, forged, expired
   * or used state.
   */
  async consume(state: unknown, code: string, req: StateRequest, res: ServerResponse): Promise<WxStateInfo> {
    const fail = (reason: string) => new WxOAuthError('invalid_state', `Login state ${reason}; please log in again`);
    if (typeof state !== 'string' || !NONCE_PATTERN.test(state)) throw fail('is missing or malformed');

    const cookie = readCookie(req, COOKIE_PREFIX + state);
    if (!cookie) throw fail('was already used or started in another browser');
    const [expires, returnTo64, signature] = cookie.split('.');
    const value = `${expires}.${returnTo64}`;
    if (!signature || !safeEqual(signature, this.sign(state, value))) throw fail('is forged');
    const expiresAt = parseInt(expires, 36);
    if (expiresAt <= Date.now()) throw fail('has expired');

    const usedBy = await this.options.store.claim(`${this.options.appid}:state:${state}`, code, expiresAt - Date.now());
    if (usedBy !== undefined && usedBy !== code) throw fail('was already used');
    // Expire the cookie so that a reload of the used callback URL is refused.
    appendCookie(res, COOKIE_PREFIX + state, '', { maxAgeSeconds: 0, secure: this.options.secure });
    const decoded = Buffer.from(returnTo64 ?? '', 'base64url').toString();
    return decoded ? { returnTo: decoded } : {};
  }

  private sign(nonce: string, value: string): string {
    return createHmac('sha256', this.options.key).update(`${nonce}.${value}`).digest('base64url');
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
