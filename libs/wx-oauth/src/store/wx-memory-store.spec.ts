import { WxMemoryStore } from './wx-memory-store.js';

describe('WxMemoryStore', () => {
  let now = 1_000_000;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };

  it('refuses a new single-use record rather than forget a live one, which could then be replayed', async () => {
    const store = new WxMemoryStore({ maxEntries: 1 }, clock); // room for 10 records
    for (let i = 0; i < 10; i++)
      expect(await store.claim(`state${i}`, 'code', 60_000)).toBeUndefined();
    await expect(store.claim('state10', 'code', 60_000)).rejects.toMatchObject({
      kind: 'store_unavailable',
      message: expect.stringContaining('use WxRedisStore'),
    });
    // The oldest record is still there: its state cannot be used with another code.
    expect(await store.claim('state0', 'other-code', 60_000)).toBe('code');
    // Once they expire, new records fit again.
    now += 60_000;
    expect(await store.claim('state10', 'code', 60_000)).toBeUndefined();
  });

  it('drops the oldest value past its bound, and expires values on the clock', async () => {
    const store = new WxMemoryStore({ maxEntries: 2 }, clock);
    await store.set('a', '1', 1000);
    await store.set('b', '2', 1000);
    await store.set('c', '3', 50);
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([
      undefined,
      '2',
      '3',
    ]);
    now += 50;
    expect(await store.get('c')).toBeUndefined();
    expect(await store.get('b')).toBe('2');
  });

  it('counts the entries it holds, until they expire and a new one drops them', async () => {
    const store = new WxMemoryStore({}, clock);
    await store.set('token', 'v', 1000);
    await store.claim('state', 'code', 1000);
    const lease = await store.lock('refresh', 1000);
    expect(store.size).toBe(3);
    await store.unlock('refresh', lease!);
    expect(store.size).toBe(2);
    now += 1000;
    await store.set('token2', 'v', 1000);
    await store.claim('state2', 'code', 1000);
    expect(store.size).toBe(2);
  });
});
