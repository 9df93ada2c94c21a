/**
 * A Map whose entries expire, bounded in size so that a flood of logins cannot
 * grow memory. Past `max` the oldest entry goes first, unless `evictLive` is
 * false: then only an expired oldest entry goes, and `set` refuses otherwise
 * (forgetting a live single-use record would let it be used again).
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
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      if (!this.evictLive && oldest.expiresAt > this.now()) return false;
      this.entries.delete(oldestKey);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
