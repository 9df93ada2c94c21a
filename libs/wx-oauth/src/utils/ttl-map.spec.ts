import { TtlMap } from './ttl-map.js';

describe('TtlMap', () => {
  it('forgets entries once their time is up', () => {
    let now = 1000;
    const map = new TtlMap<string, number>(10, () => now);
    map.set('a', 1, 50);
    expect(map.get('a')).toBe(1);
    now += 50;
    expect(map.get('a')).toBeUndefined();
  });

  it('drops the oldest entry past its bound', () => {
    const map = new TtlMap<string, number>(2);
    map.set('a', 1, 1000);
    map.set('b', 2, 1000);
    map.set('c', 3, 1000);
    expect([map.get('a'), map.get('b'), map.get('c'), map.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('refuses, rather than forget a live entry, when told not to evict', () => {
    let now = 0;
    const map = new TtlMap<string, number>(1, () => now, false);
    expect(map.set('a', 1, 100)).toBe(true);
    expect(map.set('b', 2, 100)).toBe(false);
    expect(map.get('a')).toBe(1);
    now = 100;
    expect(map.set('b', 2, 100)).toBe(true);
    expect(map.get('b')).toBe(2);
  });

  it('lets expired entries go as new ones arrive, keeping only the live ones', () => {
    let now = 0;
    const map = new TtlMap<number, number>(1000, () => now);
    for (let i = 0; i < 100; i++, now += 10) map.set(i, i, 50);
    expect(map.size).toBe(5);
  });

  it('drops, within 10 seconds, the expired entries a longer-lived one holds behind it', () => {
    let now = 0;
    const map = new TtlMap<string, number>(1000, () => now);
    map.set('token', 0, 30 * 24 * 3600_000);
    for (let i = 0; i < 100; i++) map.set(`code${i}`, i, 1000);
    now = 1000;
    map.set('later', 1, 1000);
    expect(map.size).toBe(102); // the token at the old end holds the expired codes back
    now = 10_000;
    map.set('sweep', 1, 1000);
    expect(map.size).toBe(2);
    expect(map.get('token')).toBe(0);
  });
});
