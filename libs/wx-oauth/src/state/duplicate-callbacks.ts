import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import type { WxClock } from '../utils/clock.js';
import { TtlMap } from '../utils/ttl-map.js';

/**
 * How long after a state's first use WeChat may bring it back: its duplicate
 * request (the same code again) and its in-app browser's re-request (a new
 * code for the same approval) both come within a second or two.
 */
export const DUPLICATE_CALLBACK_WINDOW_MS = 5_000;

/** Logins whose exchange this process shares at once; beyond, a duplicate exchanges again (and WeChat says 40163). */
const MAX_SHARED_EXCHANGES = 10_000;

/**
 * The one place WeChat's repeated callbacks are told from replays. A state is
 * single-use: its first callback records the code that used it, in the store,
 * so on every instance. Within `DUPLICATE_CALLBACK_WINDOW_MS` of that, the same
 * code again is admitted and shares the first request's exchange (a second
 * exchange of one code gets 40163), and one other code is admitted once
 * (WeChat's re-request). Anything else that brings a used state is refused.
 */
export class DuplicateCallbacks {
  private readonly exchanges: TtlMap<string, Promise<unknown>>;

  constructor(
    private readonly store: WxOAuthStore,
    private readonly clock: WxClock,
    /** How long an exchange may take, WeChat's timeout and its one retry. */
    private readonly exchangeMs: number,
  ) {
    this.exchanges = new TtlMap(MAX_SHARED_EXCHANGES, () => clock.now());
  }

  /**
   * Uses up `appid`'s `state` with `code`, for `ttlMs` (the state's remaining
   * life); throws `invalid_state` when the state was used otherwise, or with
   * the same code after the window.
   */
  async admit(appid: string, state: string, code: string, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    const key = `state:${appid}:${state}`;
    const use = `${now.toString(36)}:${code}`;
    const first = parseUse(await this.store.claim(key, use, ttlMs));
    if (!first) return;
    // Only WeChat's repeats, soon after the first use: the same code, or one other code.
    const replay = new WxOAuthError(
      'invalid_state',
      'Login state was already used; please log in again',
    );
    if (first.at === undefined || now - first.at > DUPLICATE_CALLBACK_WINDOW_MS) throw replay;
    if (first.code === code) return;
    const second = parseUse(await this.store.claim(`${key}:again`, use, ttlMs));
    if (second && second.code !== code) throw replay;
  }

  /**
   * One exchange per (state, code) in this process: a duplicate callback
   * shares the first one's. Keyed on both, so that a leaked code replayed with
   * another login's state still goes to WeChat, which refuses it (40163).
   */
  share<T>(state: string, code: string, exchange: () => Promise<T>): Promise<T> {
    const key = `${state}.${code}`;
    const shared = this.exchanges.get(key) as Promise<T> | undefined;
    if (shared) return shared;
    const pending = exchange();
    // Held while in flight, then only for the window: a login's tokens need not linger.
    this.exchanges.set(key, pending, this.exchangeMs + DUPLICATE_CALLBACK_WINDOW_MS);
    const keep = () => this.exchanges.set(key, pending, DUPLICATE_CALLBACK_WINDOW_MS);
    pending.then(keep, keep);
    return pending;
  }
}

/** The single-use record: when the state was first used (base 36 ms) and with which code. */
function parseUse(record: string | undefined): { at?: number; code: string } | undefined {
  if (record === undefined) return undefined;
  const match = /^([0-9a-z]+):(.*)$/s.exec(record);
  // A record without a time (written before the time was kept) allows no second code.
  return match ? { at: parseInt(match[1], 36), code: match[2] } : { code: record };
}
