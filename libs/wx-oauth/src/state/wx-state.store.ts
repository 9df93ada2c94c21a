import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

type Request = IncomingMessage & { query?: Record<string, unknown>; res?: ServerResponse };
type StoreCallback = (err: Error | null, state?: string) => void;
type VerifyCallback = (err: Error | null, ok?: boolean, info?: WxStateInfo) => void;

const COOKIE_PREFIX = 'wx_oauth_';
const NONCE_PATTERN = /^[0-9a-f]{32}$/;

/**
 * CSRF state for passport-oauth2 without a session. The state WeChat carries is
 * a 32-hex nonce (WeChat takes only [A-Za-z0-9], 128 bytes at most); the browser
 * that started the login holds a signed cookie named after it, with the expiry
 * and `returnTo`, so any instance can finish a login another one started.
 * Single use: the token store records the nonce with the code that used it, so
 * only a duplicate of that same callback (WeChat sometimes sends two) passes.
 */
export class WxStateStore {
  constructor(private readonly options: WxStateStoreOptions) {}

  /** passport-oauth2 calls this when a login starts (arity 3: req, meta, callback). */
  store(req: Request, _meta: unknown, callback: StoreCallback): void {
    const returnTo = req.query?.returnTo;
    if (returnTo !== undefined && !isSafeReturnTo(returnTo)) {
      return callback(new WxOAuthError('invalid_request', 'returnTo must be a relative path on this site, like /profile'));
    }
    const nonce = randomBytes(16).toString('hex');
    const expiresAt = Date.now() + this.options.ttlMs;
    const value = `${expiresAt.toString(36)}.${Buffer.from(returnTo ?? '').toString('base64url')}`;
    appendCookie(responseOf(req), COOKIE_PREFIX + nonce, `${value}.${this.sign(nonce, value)}`, {
      maxAgeSeconds: Math.ceil(this.options.ttlMs / 1000),
      secure: this.options.secure,
    });
    callback(null, nonce);
  }

  /** passport-oauth2 calls this on the callback (arity 3: req, state, callback). */
  verify(req: Request, state: unknown, callback: VerifyCallback): void {
    const fail = (reason: string) => callback(new WxOAuthError('invalid_state', `Login state ${reason}; please log in again`));
    if (typeof state !== 'string' || !NONCE_PATTERN.test(state)) return fail('is missing or malformed');

    const cookie = readCookie(req, COOKIE_PREFIX + state);
    if (!cookie) return fail('was already used or started in another browser');
    const [expires, returnTo64, signature] = cookie.split('.');
    const value = `${expires}.${returnTo64}`;
    if (!signature || !safeEqual(signature, this.sign(state, value))) return fail('is forged');
    const expiresAt = parseInt(expires, 36);
    if (expiresAt <= Date.now()) return fail('has expired');

    const code = String(req.query?.code ?? '');
    this.options.store.claim(`${this.options.appid}:state:${state}`, code, expiresAt - Date.now()).then((usedBy) => {
      if (usedBy !== undefined && usedBy !== code) return fail('was already used');
      // Expire the cookie so that a reload of the used callback URL is refused.
      appendCookie(responseOf(req), COOKIE_PREFIX + state, '', { maxAgeSeconds: 0, secure: this.options.secure });
      const decoded = Buffer.from(returnTo64 ?? '', 'base64url').toString();
      callback(null, true, decoded ? { returnTo: decoded } : {});
    }, callback);
  }

  private sign(nonce: string, value: string): string {
    return createHmac('sha256', this.options.key).update(`${nonce}.${value}`).digest('base64url');
  }
}

function responseOf(req: Request): ServerResponse {
  if (!req.res) throw new Error('WxStateStore needs the response object on req.res (an Express request)');
  return req.res;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
