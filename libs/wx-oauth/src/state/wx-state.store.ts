import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxTokenStore } from '../tokens/wx-token-store.js';
import { appendCookie, readCookie, readCookies } from './cookies.js';
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
  /** The app that started the login, whose secret the code goes to. */
  appid: string;
}

type StateRequest = Pick<IncomingMessage, 'headers'>;

const COOKIE_PREFIX = 'wx_oauth_';
const NONCE_PATTERN = /^[0-9a-f]{32}$/;

/**
 * How many state cookies a browser keeps, and how many bytes of its Cookie
 * header they may take together: a login start expires the oldest beyond
 * either, so endless unfinished logins never push the header past a server's
 * limit (Node's is 16 KB) or the browser's cookies-per-site cap. One cookie is
 * at most about 2.8 KB (a 2048-byte `returnTo`), so the newest always fits.
 */
export const MAX_STATE_COOKIES = 4;
export const MAX_STATE_COOKIE_BYTES = 6 * 1024;

/**
 * How long after a state's first use its browser may bring it back with a
 * different code: WeChat's in-app browser sometimes re-requests the callback
 * with a new code for the same approval, within a second or two.
 */
export const SECOND_CALLBACK_WINDOW_MS = 5_000;

interface StateCookie {
  name: string;
  expiresAt: number;
  returnTo64: string;
  appid: string;
  /** Its share of the Cookie header: `name=value; `. */
  bytes: number;
}

/**
 * CSRF state without a session. The state WeChat carries is a 32-hex nonce
 * (WeChat takes only [A-Za-z0-9], 128 bytes at most); the browser that started
 * the login holds a signed cookie named after it, with the expiry, `returnTo`
 * and the appid that started the login, so any instance can finish a login another one started, and
 * several logins (tabs) can run at once. A login start expires the browser's
 * oldest state cookies beyond `MAX_STATE_COOKIES` / `MAX_STATE_COOKIE_BYTES`.
 *
 * Single use: the token store records the nonce with the code that used it and
 * when. A duplicate of that same callback passes (WeChat sometimes sends two),
 * and so does one other code within `SECOND_CALLBACK_WINDOW_MS` from the same
 * browser (WeChat's re-request with a new code); nothing else does.
 */
export class WxStateStore {
  constructor(private readonly options: WxStateStoreOptions) {}

  /**
   * Mints the state for a new login by `appid` and sets its cookie on `res`,
   * expiring on `res` the oldest of the state cookies `req` carries beyond the bounds.
   */
  issue(returnTo: unknown, appid: string, req: StateRequest, res: ServerResponse): string {
    if (returnTo !== undefined && !isSafeReturnTo(returnTo)) {
      throw new WxOAuthError('invalid_request', 'returnTo must be a relative path on this site, like /profile');
    }
    // A v4 UUID's 122 random bits, from node's pooled entropy, as 32 hex digits.
    const nonce = randomUUID().replaceAll('-', '');
    const expiresAt = Date.now() + this.options.ttlMs;
    const value = `${expiresAt.toString(36)}.${Buffer.from(returnTo ?? '').toString('base64url')}.${appid}`;
    const cookie = `${value}.${this.sign(nonce, value)}`;
    for (const old of this.overflow(req, cookieBytes(COOKIE_PREFIX + nonce, cookie))) this.expire(res, old.name);
    appendCookie(res, COOKIE_PREFIX + nonce, cookie, {
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

    const value = readCookie(req, COOKIE_PREFIX + state);
    if (!value) throw fail('was already used, replaced by newer logins, or started in another browser');
    const cookie = this.verify(COOKIE_PREFIX + state, value);
    if (!cookie) throw fail('is forged');
    const now = Date.now();
    if (cookie.expiresAt <= now) throw fail('has expired');

    const key = `${this.options.appid}:state:${state}`;
    const use = `${now.toString(36)}:${code}`;
    const ttlMs = cookie.expiresAt - now;
    const first = parseUse(await this.options.store.claim(key, use, ttlMs));
    if (first && first.code !== code) {
      // Another code: only WeChat's re-request, soon after the first use, and only one other code.
      if (first.at === undefined || now - first.at > SECOND_CALLBACK_WINDOW_MS) throw fail('was already used');
      const second = parseUse(await this.options.store.claim(`${key}:again`, use, ttlMs));
      if (second && second.code !== code) throw fail('was already used');
    }
    // Expire the cookie so that a reload of the used callback URL is refused.
    this.expire(res, COOKIE_PREFIX + state);
    const decoded = Buffer.from(cookie.returnTo64, 'base64url').toString();
    return decoded ? { returnTo: decoded, appid: cookie.appid } : { appid: cookie.appid };
  }

  /** The request's state cookies to expire so that, with a new one of `newBytes`, the browser stays within the bounds. */
  private overflow(req: StateRequest, newBytes: number): { name: string }[] {
    const now = Date.now();
    const cookies = readCookies(req, COOKIE_PREFIX).map(([name, value]) => this.verify(name, value) ?? { name, expiresAt: 0, bytes: 0 });
    // Newest first: expiry is issue time plus one fixed lifetime.
    cookies.sort((a, b) => b.expiresAt - a.expiresAt);
    let count = 1;
    let bytes = newBytes;
    return cookies.filter((cookie) => {
      const keep = cookie.expiresAt > now && count < MAX_STATE_COOKIES && bytes + cookie.bytes <= MAX_STATE_COOKIE_BYTES;
      if (keep) {
        count += 1;
        bytes += cookie.bytes;
      }
      return !keep;
    });
  }

  /** A state cookie with a valid signature, parsed; undefined for anything else. */
  private verify(name: string, value: string): StateCookie | undefined {
    const nonce = name.slice(COOKIE_PREFIX.length);
    if (!NONCE_PATTERN.test(nonce)) return undefined;
    const [expires, returnTo64, appid, signature, extra] = value.split('.');
    if (!signature || extra !== undefined) return undefined;
    if (!safeEqual(signature, this.sign(nonce, `${expires}.${returnTo64}.${appid}`))) return undefined;
    return { name, expiresAt: parseInt(expires, 36), returnTo64, appid, bytes: cookieBytes(name, value) };
  }

  private expire(res: ServerResponse, name: string): void {
    appendCookie(res, name, '', { maxAgeSeconds: 0, secure: this.options.secure });
  }

  private sign(nonce: string, value: string): string {
    return createHmac('sha256', this.options.key).update(`${nonce}.${value}`).digest('base64url');
  }
}

/** The single-use record: when the state was first used (base 36 ms) and with which code. */
function parseUse(record: string | undefined): { at?: number; code: string } | undefined {
  if (record === undefined) return undefined;
  const match = /^([0-9a-z]+):(.*)$/s.exec(record);
  // A record without a time (written before the time was kept) allows no second code.
  return match ? { at: parseInt(match[1], 36), code: match[2] } : { code: record };
}

function cookieBytes(name: string, value: string): number {
  return Buffer.byteLength(`${name}=${value}; `);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
