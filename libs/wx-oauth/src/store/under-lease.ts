import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxClock } from '../utils/clock.js';
import type { WxOAuthStore } from './wx-oauth-store.interface.js';

/** How often a caller waiting for another instance's write looks at the store. */
const WAIT_POLL_MS = 25;

export interface UnderLeaseOptions<T> {
  /** How long the holder may take: its WeChat call and that call's retry. */
  leaseMs: number;
  /** The holder's work, given its lease for fenced writes (`setIfLocked`). */
  produce: (lockId: string) => Promise<T>;
  /** What another instance's holder has written, once it is usable; undefined until then. */
  written: () => Promise<T | undefined>;
  /** For the error when the holder never writes: "to refresh the token". */
  waitingFor: string;
}

/**
 * Runs `produce` in one instance at a time, under the store's lease on `key`;
 * the others wait for its write, and give up (`store_unavailable`) after two
 * leases. What the token services share to fetch a token once across instances.
 */
export async function underLease<T>(
  store: WxOAuthStore,
  clock: WxClock,
  key: string,
  { leaseMs, produce, written, waitingFor }: UnderLeaseOptions<T>,
): Promise<T> {
  const deadline = clock.now() + leaseMs * 2;
  for (;;) {
    const lockId = await store.lock(key, leaseMs);
    if (lockId) {
      try {
        return await produce(lockId);
      } finally {
        await store.unlock(key, lockId).catch(() => undefined);
      }
    }
    await clock.sleep(WAIT_POLL_MS);
    const value = await written();
    if (value !== undefined) return value;
    if (clock.now() > deadline) {
      throw new WxOAuthError(
        'store_unavailable',
        `Store: gave up waiting for another instance ${waitingFor}`,
      );
    }
  }
}
