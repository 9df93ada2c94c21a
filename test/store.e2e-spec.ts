import { Redis } from 'ioredis';
import { WxMemoryStore, WxOAuthError, type WxOAuthStore } from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import { RedisServer } from './support/redis-server.js';

describe('stores', () => {
  let redis: RedisServer;
  const stores: WxOAuthStore[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close?.()));
    await redis.stop();
  });

  const make = {
    memory: () => new WxMemoryStore(),
    redis: () => {
      const store = new WxRedisStore({ url: redis.url, prefix: `t${Math.random()}:` });
      stores.push(store);
      return store;
    },
  };

  describe.each(Object.keys(make) as (keyof typeof make)[])('%s', (kind) => {
    let store: WxOAuthStore;
    beforeEach(() => {
      store = make[kind]();
    });

    it('keeps values per key', async () => {
      await store.set('token:app1:o1', 'at-o1', 60_000);
      await store.set('token:app2:o1', 'other-app', 60_000);
      expect(await store.get('token:app1:o1')).toBe('at-o1');
      expect(await store.get('token:app2:o1')).toBe('other-app');
      await store.delete('token:app1:o1');
      expect(await store.get('token:app1:o1')).toBeUndefined();
      expect(await store.get('token:app2:o1')).toBeDefined();
    });

    it('forgets a value when its time is up', async () => {
      await store.set('token:app:o2', 'at-o2', 50);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.get('token:app:o2')).toBeUndefined();
    });

    it('claims a key once and answers the first value after', async () => {
      expect(await store.claim('k1', 'code-a', 10_000)).toBeUndefined();
      expect(await store.claim('k1', 'code-b', 10_000)).toBe('code-a');
      expect(await store.claim('k2', 'code-b', 10_000)).toBeUndefined();
    });

    it('grants one lease at a time and fences writes to its holder', async () => {
      const first = await store.lock('token:app:o3', 10_000);
      expect(first).toEqual(expect.any(String));
      expect(await store.lock('token:app:o3', 10_000)).toBeUndefined();
      expect(await store.setIfLocked('token:app:o3', 'at-o3', 60_000, 'not-the-holder')).toBe(
        false,
      );
      expect(await store.get('token:app:o3')).toBeUndefined();
      expect(await store.setIfLocked('token:app:o3', 'at-o3', 60_000, first!)).toBe(true);
      expect(await store.get('token:app:o3')).toBe('at-o3');
      await store.unlock('token:app:o3', 'not-the-holder');
      expect(await store.lock('token:app:o3', 10_000)).toBeUndefined();
      await store.unlock('token:app:o3', first!);
      expect(await store.lock('token:app:o3', 10_000)).toEqual(expect.any(String));
    });

    it('lets a lease run out, after which the late holder cannot write', async () => {
      const late = await store.lock('token:app:o4', 50);
      await new Promise((r) => setTimeout(r, 120));
      const next = await store.lock('token:app:o4', 10_000);
      expect(next).toEqual(expect.any(String));
      expect(await store.setIfLocked('token:app:o4', 'at-o4', 60_000, late!)).toBe(false);
    });
  });

  describe('WxRedisStore when Redis fails', () => {
    it('fails fast with store_unavailable while Redis is down, and recovers when it is back', async () => {
      const store = make.redis();
      await store.set('token:app:o5', 'at-o5', 60_000);
      await redis.stop();

      const started = Date.now();
      const error = await store.get('token:app:o5').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WxOAuthError);
      expect(error).toMatchObject({
        kind: 'store_unavailable',
        message: expect.stringMatching(/^Store: Redis GET failed/),
      });
      expect(Date.now() - started).toBeLessThan(1500);

      await redis.restart();
      let value: unknown;
      for (let i = 0; i < 50 && value === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
        value = await store.claim('after-restart', 'x', 10_000).then(
          () => 'ok',
          () => undefined,
        );
      }
      expect(value).toBe('ok');
    });

    it('times out a Redis that does not answer', async () => {
      // A client of the app's that queues commands while Redis is unreachable: the store's timeout still bounds them.
      const client = new Redis(redis.url, { lazyConnect: true });
      const store = new WxRedisStore({ client, timeout: 200 });
      client.on('error', () => undefined);
      await client.connect();
      await client.call('CLIENT', 'PAUSE', '1000', 'ALL');
      const started = Date.now();
      await expect(store.get('token:app:o6')).rejects.toMatchObject({
        kind: 'store_unavailable',
        message: expect.stringContaining('no answer within 200 ms'),
      });
      expect(Date.now() - started).toBeLessThan(800);
      await new Promise((r) => setTimeout(r, 900));
      await store.close(); // not its client: stays open
      expect(client.status).toBe('ready');
      client.disconnect();
    });
  });

  it('refuses a WxRedisStore with nowhere to connect', () => {
    expect(() => new WxRedisStore({})).toThrow(
      'WxRedisStore needs exactly one of url, cluster, sentinel or client',
    );
  });
});
