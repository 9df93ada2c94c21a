import { Redis } from 'ioredis';
import { MemoryTokenStore, WxOAuthError, type WxStoredToken, type WxTokenStore } from 'nest-wx-oauth';
import { RedisTokenStore } from 'nest-wx-oauth/redis';
import { RedisServer } from './support/redis-server.js';

const token = (openid: string, overrides: Partial<WxStoredToken> = {}): WxStoredToken => ({
  openid,
  scope: 'snsapi_userinfo',
  accessToken: `at-${openid}`,
  refreshToken: `rt-${openid}`,
  accessTokenExpiresAt: Date.now() + 7_200_000,
  refreshTokenExpiresAt: Date.now() + 60_000,
  ...overrides,
});

describe('token stores', () => {
  let redis: RedisServer;
  const stores: WxTokenStore[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close?.()));
    await redis.stop();
  });

  const make = {
    memory: () => new MemoryTokenStore(),
    redis: () => {
      const store = new RedisTokenStore({ url: redis.url, prefix: `t${Math.random()}:` });
      stores.push(store);
      return store;
    },
  };

  describe.each(Object.keys(make) as (keyof typeof make)[])('%s', (kind) => {
    let store: WxTokenStore;
    beforeEach(() => {
      store = make[kind]();
    });

    it('keeps tokens per appid and openid', async () => {
      await store.set('app1', 'o1', token('o1'));
      await store.set('app2', 'o1', token('o1', { accessToken: 'other-app' }));
      expect(await store.get('app1', 'o1')).toEqual(token('o1', { accessTokenExpiresAt: expect.any(Number), refreshTokenExpiresAt: expect.any(Number) }));
      expect((await store.get('app2', 'o1'))?.accessToken).toBe('other-app');
      await store.delete('app1', 'o1');
      expect(await store.get('app1', 'o1')).toBeUndefined();
      expect(await store.get('app2', 'o1')).toBeDefined();
    });

    it('forgets a token when its refresh token expires', async () => {
      await store.set('app', 'o2', token('o2', { refreshTokenExpiresAt: Date.now() + 50 }));
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.get('app', 'o2')).toBeUndefined();
    });

    it('claims a key once and answers the first value after', async () => {
      expect(await store.claim('k1', 'code-a', 10_000)).toBeUndefined();
      expect(await store.claim('k1', 'code-b', 10_000)).toBe('code-a');
      expect(await store.claim('k2', 'code-b', 10_000)).toBeUndefined();
    });

    it('grants one lease at a time and fences writes to its holder', async () => {
      const first = await store.lock('app', 'o3', 10_000);
      expect(first).toEqual(expect.any(String));
      expect(await store.lock('app', 'o3', 10_000)).toBeUndefined();
      expect(await store.setIfLocked('app', 'o3', token('o3'), 'not-the-holder')).toBe(false);
      expect(await store.get('app', 'o3')).toBeUndefined();
      expect(await store.setIfLocked('app', 'o3', token('o3'), first!)).toBe(true);
      await store.unlock('app', 'o3', 'not-the-holder');
      expect(await store.lock('app', 'o3', 10_000)).toBeUndefined();
      await store.unlock('app', 'o3', first!);
      expect(await store.lock('app', 'o3', 10_000)).toEqual(expect.any(String));
    });

    it('lets a lease run out, after which the late holder cannot write', async () => {
      const late = await store.lock('app', 'o4', 50);
      await new Promise((r) => setTimeout(r, 120));
      const next = await store.lock('app', 'o4', 10_000);
      expect(next).toEqual(expect.any(String));
      expect(await store.setIfLocked('app', 'o4', token('o4'), late!)).toBe(false);
    });
  });

  describe('RedisTokenStore when Redis fails', () => {
    it('fails fast with store_unavailable while Redis is down, and recovers when it is back', async () => {
      const store = make.redis();
      await store.set('app', 'o5', token('o5'));
      await redis.stop();

      const started = Date.now();
      const error = await store.get('app', 'o5').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WxOAuthError);
      expect(error).toMatchObject({ kind: 'store_unavailable', message: expect.stringMatching(/^Token store: Redis GET failed/) });
      expect(Date.now() - started).toBeLessThan(1500);

      await redis.restart();
      let value: unknown;
      for (let i = 0; i < 50 && value === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
        value = await store.claim('after-restart', 'x', 10_000).then(() => 'ok', () => undefined);
      }
      expect(value).toBe('ok');
    });

    it('times out a Redis that does not answer', async () => {
      // A client of the app's that queues commands while Redis is unreachable: the store's timeout still bounds them.
      const client = new Redis(redis.url, { lazyConnect: true });
      const store = new RedisTokenStore({ client, timeout: 200 });
      client.on('error', () => undefined);
      await client.connect();
      await client.call('CLIENT', 'PAUSE', '1000', 'ALL');
      const started = Date.now();
      await expect(store.get('app', 'o6')).rejects.toMatchObject({ kind: 'store_unavailable', message: expect.stringContaining('no answer within 200 ms') });
      expect(Date.now() - started).toBeLessThan(800);
      await new Promise((r) => setTimeout(r, 900));
      await store.close(); // not its client: stays open
      expect(client.status).toBe('ready');
      client.disconnect();
    });
  });

  it('refuses a RedisTokenStore with neither url nor client', () => {
    expect(() => new RedisTokenStore({})).toThrow('RedisTokenStore needs a url or a client');
  });
});
