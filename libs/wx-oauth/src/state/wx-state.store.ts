import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type OAuth2Strategy from 'passport-oauth2';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxStateInfo } from './wx-auth-info.interface.js';
import type { DuplicateCallbacks } from './duplicate-callbacks.js';
import { type LoginRequest, readLoginQuery, responseOf } from '../http/login-request.js';
import type { WxClock } from '../utils/clock.js';
import { appendCookie, readCookie, readCookies } from '../http/cookies.js';
import { assertReturnTo } from '../http/return-to.js';

export interface WxStateStoreOptions {
  /** HMAC key of the state cookie. */
  key: Buffer;
  /** How long a login may take, in milliseconds. */
  ttlMs: number;
  /** The origins besides this site's a login's `returnTo` may be on. */
  frontendOrigins: readonly string[];
  /** Mark the cookie `Secure` (the callback is https). */
  secure: boolean;
  /** Keeps each state single-use, and tells WeChat's repeated callbacks from replays. */
  duplicates: DuplicateCallbacks;
  clock: WxClock;
}

/**
 * What the strategy hands `store()`: passport-oauth2's metadata, whose
 * `clientID` is the appid of the app starting the login, and the login's `returnTo`.
 */
export interface WxStateMeta extends OAuth2Strategy.Metadata {
  callbackURL?: string;
  returnTo?: unknown;
  /** The tenant starting the login, with `tenants`. */
  tenant?: string;
}

/** The app a login's state names: its appid, and its tenant with `tenants`. */
export interface WxStateApp {
  appid: string;
  tenant?: string;
}

type StoreCallback = OAuth2Strategy.StateStoreStoreCallback;
/**
 * A verified state, with what its login kind kept in it for the callback
 * (`issue`'s `kept`): the options of the route that started the login, which
 * the kind takes out before the state reaches the app.
 */
export interface WxVerifiedState extends WxStateInfo {
  kept?: string;
}

type VerifyCallback = (err: Error | null, ok: boolean, info?: WxVerifiedState) => void;
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

interface StateCookie {
  name: string;
  expiresAt: number;
  returnTo64: string;
  app: WxStateApp;
  /** `issue`'s `kept`, base64url; empty without. */
  kept64: string;
  /** Its share of the Cookie header: `name=value; `. */
  bytes: number;
}

/**
 * passport-oauth2's state store, with no session. The state WeChat carries is a
 * 32-hex nonce (WeChat takes only [A-Za-z0-9], 128 bytes at most); the browser
 * that started the login holds a signed cookie named after it, with the
 * expiry, `returnTo`, the app (appid, and tenant) that started the login and
 * what its login kind keeps for the callback,
 * so any instance can finish a login another one started, whatever host the
 * callback reaches, and several logins (tabs) can run at once. `verify` hands
 * `{ returnTo, appid, tenant }` to passport as `info.state`, which becomes
 * `req.authInfo.state`; `abandon` hands a failed callback's to `WxAuthGuard`,
 * which sends the failure back to the front end the login started from.
 */
export class WxStateStore implements OAuth2Strategy.StateStore {
  constructor(private readonly options: WxStateStoreOptions) {}

  /** passport-oauth2's `store(req, meta, callback)`: mints the state of a new login by `meta.clientID`. */
  store(req: LoginRequest, meta: WxStateMeta | StoreCallback, callback?: StoreCallback): void {
    if (!callback || typeof meta === 'function') {
      throw new TypeError('WxStateStore.store needs the metadata naming the app (clientID)');
    }
    let state: string;
    try {
      state = this.issue(
        req,
        responseOf(req),
        { appid: meta.clientID, tenant: meta.tenant },
        meta.returnTo,
      );
    } catch (error) {
      return callback(error as Error, undefined);
    }
    callback(null, state);
  }

  /** passport-oauth2's `verify(req, state, meta, callback)`: checks the state against its cookie and uses it up. */
  verify(
    req: LoginRequest,
    state: string,
    meta: OAuth2Strategy.Metadata | VerifyCallback,
    callback?: VerifyCallback,
  ): void {
    const done = callback ?? (meta as VerifyCallback);
    this.consume(req, state).then(
      (info) => done(null, true, info),
      (error: Error) => done(error, false),
    );
  }

  /**
   * Mints the state for a new login by `app` and sets its cookie on `res`,
   * expiring on `res` the oldest of the state cookies `req` carries beyond the bounds.
   * `kept`: what the login kind keeps for its callback (the starting route's
   * options, a few bytes), signed with the rest and handed back by `verify`.
   */
  issue(
    req: StateRequest,
    res: ServerResponse,
    app: WxStateApp,
    returnTo: unknown,
    kept?: string,
  ): string {
    const safeReturnTo = assertReturnTo(returnTo, this.options.frontendOrigins);
    // A v4 UUID's 122 random bits, from node's pooled entropy, as 32 hex digits.
    const nonce = randomUUID().replaceAll('-', '');
    const expiresAt = this.options.clock.now() + this.options.ttlMs;
    let value = `${expiresAt.toString(36)}.${Buffer.from(safeReturnTo ?? '').toString('base64url')}.${appRef(app)}`;
    if (kept) value += `.${Buffer.from(kept).toString('base64url')}`;
    const cookie = `${value}.${this.sign(nonce, value)}`;
    for (const old of this.overflow(req, cookieBytes(COOKIE_PREFIX + nonce, cookie)))
      this.expire(res, old.name);
    appendCookie(res, COOKIE_PREFIX + nonce, cookie, {
      maxAgeSeconds: Math.ceil(this.options.ttlMs / 1000),
      secure: this.options.secure,
    });
    return nonce;
  }

  /**
   * The app a callback's state cookie names, read but not verified: the
   * token request needs it, and passport-oauth2 makes that request only after
   * `verify` passed, on that same cookie.
   */
  appOf(req: StateRequest, state: string | undefined): WxStateApp | undefined {
    if (state === undefined || !NONCE_PATTERN.test(state)) return undefined;
    const ref = readCookie(req, COOKIE_PREFIX + state)?.split('.')[2];
    return ref === undefined ? undefined : parseAppRef(ref);
  }

  /**
   * Verifies the callback's state against its cookie and uses it up, expiring
   * the cookie. Throws `invalid_state` for a missing, forged, expired or used state.
   */
  private async consume(req: LoginRequest, state: unknown): Promise<WxVerifiedState> {
    const fail = (reason: string) =>
      new WxOAuthError('invalid_state', `Login state ${reason}; please log in again`);
    if (typeof state !== 'string' || !NONCE_PATTERN.test(state))
      throw fail('is missing or malformed');

    const value = readCookie(req, COOKIE_PREFIX + state);
    if (!value)
      throw fail('was already used, replaced by newer logins, or started in another browser');
    const cookie = this.verifyCookie(COOKIE_PREFIX + state, value);
    if (!cookie) throw fail('is forged');
    const ttlMs = cookie.expiresAt - this.options.clock.now();
    if (ttlMs <= 0) throw fail('has expired');

    await this.options.duplicates.admit(
      cookie.app.appid,
      state,
      readLoginQuery(req.query).code ?? '',
      ttlMs,
    );
    // Expire the cookie so that a reload of the used callback URL is refused.
    this.expire(responseOf(req), COOKIE_PREFIX + state);
    const kept = Buffer.from(cookie.kept64, 'base64url').toString();
    return { ...infoOf(cookie), ...(kept ? { kept } : {}) };
  }

  /**
   * Ends the failed login whose callback `req` is: its state as its cookie
   * holds it, with the cookie expired on `res`, when the cookie's signature
   * verifies, even past its lifetime (the state says where the failure goes and
   * logs no one in). Undefined, and nothing expired, for a missing or malformed
   * state, or a missing or forged cookie.
   */
  abandon(req: LoginRequest, res: ServerResponse): WxStateInfo | undefined {
    let state: string | undefined;
    try {
      ({ state } = readLoginQuery(req.query));
    } catch {
      return undefined;
    }
    if (state === undefined || !NONCE_PATTERN.test(state)) return undefined;
    const name = COOKIE_PREFIX + state;
    const value = readCookie(req, name);
    const cookie = value === undefined ? undefined : this.verifyCookie(name, value);
    if (!cookie) return undefined;
    this.expire(res, name);
    return infoOf(cookie);
  }

  /** The request's state cookies to expire so that, with a new one of `newBytes`, the browser stays within the bounds. */
  private overflow(req: StateRequest, newBytes: number): { name: string }[] {
    const now = this.options.clock.now();
    const cookies = readCookies(req, COOKIE_PREFIX).map(
      ([name, value]) => this.verifyCookie(name, value) ?? { name, expiresAt: 0, bytes: 0 },
    );
    // Newest first: expiry is issue time plus one fixed lifetime.
    cookies.sort((a, b) => b.expiresAt - a.expiresAt);
    let count = 1;
    let bytes = newBytes;
    return cookies.filter((cookie) => {
      const keep =
        cookie.expiresAt > now &&
        count < MAX_STATE_COOKIES &&
        bytes + cookie.bytes <= MAX_STATE_COOKIE_BYTES;
      if (keep) {
        count += 1;
        bytes += cookie.bytes;
      }
      return !keep;
    });
  }

  /** `value` with its signature for `purpose`, for another cookie of the login (the follow login's). */
  seal(purpose: string, value: string): string {
    return `${value}.${this.sign(purpose, value)}`;
  }

  /** The value `seal` signed for `purpose`; undefined for anything forged or malformed. */
  unseal(purpose: string, sealed: string | undefined): string | undefined {
    const dot = sealed?.lastIndexOf('.') ?? -1;
    if (!sealed || dot <= 0) return undefined;
    const value = sealed.slice(0, dot);
    return safeEqual(sealed.slice(dot + 1), this.sign(purpose, value)) ? value : undefined;
  }

  /** A state cookie with a valid signature, parsed; undefined for anything else. */
  private verifyCookie(name: string, value: string): StateCookie | undefined {
    const nonce = name.slice(COOKIE_PREFIX.length);
    if (!NONCE_PATTERN.test(nonce)) return undefined;
    // `expires.returnTo.app[.kept].signature`
    const parts = value.split('.');
    if (parts.length < 4 || parts.length > 5) return undefined;
    const signature = parts.pop()!;
    if (!safeEqual(signature, this.sign(nonce, parts.join('.')))) return undefined;
    const [expires, returnTo64, ref, kept64 = ''] = parts;
    return {
      name,
      expiresAt: parseInt(expires, 36),
      returnTo64,
      app: parseAppRef(ref),
      kept64,
      bytes: cookieBytes(name, value),
    };
  }

  private expire(res: ServerResponse, name: string): void {
    // Once: a callback that failed after its state was used up has expired it already.
    const setCookie = res.getHeader('Set-Cookie');
    if ([setCookie].flat().some((cookie) => String(cookie).startsWith(`${name}=;`))) return;
    appendCookie(res, name, '', { maxAgeSeconds: 0, secure: this.options.secure });
  }

  private sign(nonce: string, value: string): string {
    return createHmac('sha256', this.options.key).update(`${nonce}.${value}`).digest('base64url');
  }
}

/** What a verified state cookie hands back. */
function infoOf(cookie: StateCookie): WxStateInfo {
  const returnTo = Buffer.from(cookie.returnTo64, 'base64url').toString();
  const { appid, tenant } = cookie.app;
  return {
    ...(returnTo ? { returnTo } : {}),
    appid,
    ...(tenant === undefined ? {} : { tenant }),
  };
}

/** The app in a state cookie: the appid, after the tenant's id (base64url) and `~` with tenants. */
function appRef({ appid, tenant }: WxStateApp): string {
  return tenant === undefined ? appid : `${Buffer.from(tenant).toString('base64url')}~${appid}`;
}

function parseAppRef(ref: string): WxStateApp {
  const tilde = ref.indexOf('~');
  if (tilde === -1) return { appid: ref };
  return {
    appid: ref.slice(tilde + 1),
    tenant: Buffer.from(ref.slice(0, tilde), 'base64url').toString(),
  };
}

/** The state cookie's HMAC key: from `state.secret`, else from an app secret, so that instances agree with no extra setting. */
export function stateKeyOf(secret: string): Buffer {
  return createHmac('sha256', secret).update('nest-wx-oauth:state').digest();
}

function cookieBytes(name: string, value: string): number {
  return Buffer.byteLength(`${name}=${value}; `);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
