/**
 * How often `set` drops every expired entry: a pass over the map (a few ms for 100 000
 * entries), so not on every call, and often enough that what it holds follows the live ones.
 */
const SWEEP_EVERY_MS = 10_000;

/**
 * A Map whose entries expire, bounded in size so that a flood of logins cannot
 * grow memory. Each `set` first drops the expired entries at the old end, so a
 * steady stream holds only what is live; and every 10 seconds it drops every
 * expired entry, because entries of different lifetimes expire out of insertion
 * order: behind a long-lived one (a user's 30-day token, a push signature's 10
 * minutes) the shorter-lived entries after it would stay until it goes. Past
 * `max` the oldest entry goes first, unless `evictLive` is false: then `set`
 * refuses (forgetting a live single-use record would let it be used again).
 */
export class TtlMap<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  /** When `set` next drops every expired entry, not only those at the old end. */
  private nextSweep: number;

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
    private readonly evictLive = true,
  ) {
    this.nextSweep = now() + SWEEP_EVERY_MS;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Answers false when the map is full of live entries it may not evict. */
  set(key: K, value: V, ttlMs: number): boolean {
    const now = this.now();
    this.entries.delete(key);
    this.dropExpired(now);
    if (this.entries.size >= this.max) {
      if (!this.evictLive) return false;
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, expiresAt: now + ttlMs });
    return true;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Insertion order is expiry order among entries of one lifetime: stop at the first live entry, but for the sweep. */
  private dropExpired(now: number): void {
    const sweep = now >= this.nextSweep;
    if (sweep) this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
      else if (!sweep) return;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
