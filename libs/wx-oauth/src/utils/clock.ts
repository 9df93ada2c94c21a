import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The time the module reads and waits on: state expiry, the second-callback
 * window, token freshness, the store's TTLs. A provider (`WX_OAUTH_CLOCK`), so
 * that specs move time instead of patching `Date.now` or sleeping.
 */
export interface WxClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock; reads `Date.now()` at each call. */
export const systemClock: WxClock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
};
