import { systemClock } from '../utils/clock.js';
import { readDated, saveNewest } from './newest-wins.js';
import { WxMemoryStore } from './wx-memory-store.js';

describe('saveNewest', () => {
  const store = new WxMemoryStore({}, systemClock);
  const save = (value: string, at: number) =>
    saveNewest(store, systemClock, 'ticket', { value, at }, 60_000);

  it('waits for the instance writing (it holds the lease), then compares with what it wrote', async () => {
    const lease = (await store.lock('ticket', 2000))!;
    const waiting = save('t30', 30);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await readDated(store, 'ticket')).toBeUndefined();
    // The other instance writes a later ticket, and lets go.
    await store.setIfLocked('ticket', JSON.stringify({ value: 't40', at: 40 }), 60_000, lease);
    await store.unlock('ticket', lease);
    expect(await waiting).toBe(false);
    expect(await readDated(store, 'ticket')).toEqual({ value: 't40', at: 40 });
  });

  it('refuses an older value after a newer one, and takes a second value of the same time', async () => {
    expect(await save('t50', 50)).toBe(true);
    expect(await save('t49', 49)).toBe(false);
    expect(await save('t50-again', 50)).toBe(true);
    expect(await readDated(store, 'ticket')).toEqual({ value: 't50-again', at: 50 });
  });
});
