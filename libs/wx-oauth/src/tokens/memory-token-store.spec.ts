import { MemoryTokenStore } from './memory-token-store.js';

describe('MemoryTokenStore', () => {
  it('refuses a new login state rather than forget a live one, which could then be replayed', async () => {
    const store = new MemoryTokenStore({ maxEntries: 1 }); // room for 10 unfinished logins
    for (let i = 0; i < 10; i++) expect(await store.claim(`state${i}`, 'code', 60_000)).toBeUndefined();
    await expect(store.claim('state10', 'code', 60_000)).rejects.toMatchObject({
      kind: 'store_unavailable',
      message: expect.stringContaining('use RedisTokenStore'),
    });
    // The oldest record is still there: its state cannot be used with another code.
    expect(await store.claim('state0', 'other-code', 60_000)).toBe('code');
  });
});
