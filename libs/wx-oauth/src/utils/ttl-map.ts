/**
 * A Map whose entries expire, bounded in size so that a flood of logins cannot
 * grow memory. Each `set` first drops the expired entries at the old end, so a
 * steady stream holds only what is live. Past `max` the oldest entry goes first,
 * unless `evictLive` is false: then `set` refuses (forgetting a live single-use
 * record would let it be used again).
 */
export class TtlMap<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
    private readonly evictLive = true,
  ) {}

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
    this.dropExpiredOldest(now);
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

  /** Insertion order is roughly expiry order: stop at the first live entry. */
  private dropExpiredOldest(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
