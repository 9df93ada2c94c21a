import type { WxClock } from '../utils/clock.js';
import { underLease } from './under-lease.js';
import type { WxOAuthStore } from './wx-oauth-store.interface.js';

/** A value with the time it was true at, as WeChat dated it. */
export interface Dated {
  value: string;
  /** When WeChat sent it: its `CreateTime`, in seconds. */
  at: number;
}

/** How long a writer may hold the key: a read and a write. */
const LEASE_MS = 2000;

/**
 * Stores `dated` under `key` unless the store holds a later value, one writer
 * at a time across instances (the store's lease on `key`): WeChat's late retry
 * of an older push never overwrites a newer one. Of two values of the same
 * second the later to arrive wins (WeChat minted it later). Answers whether it
 * stored it.
 */
export function saveNewest(
  store: WxOAuthStore,
  clock: WxClock,
  key: string,
  dated: Dated,
  ttlMs: number,
): Promise<boolean> {
  return underLease(store, clock, key, {
    leaseMs: LEASE_MS,
    produce: async (lockId) => {
      const current = await readDated(store, key);
      if (current && current.at > dated.at) return false;
      return store.setIfLocked(key, JSON.stringify(dated), ttlMs, lockId);
    },
    // Another writer's value is no answer: each writer compares its own under the lease.
    written: async () => undefined,
    waitingFor: `to write ${key}`,
  });
}

/** What `saveNewest` stored under `key`. */
export async function readDated(store: WxOAuthStore, key: string): Promise<Dated | undefined> {
  const json = await store.get(key);
  return json ? (JSON.parse(json) as Dated) : undefined;
}
