import { Redis } from 'ioredis';
import { RedisServer } from '../../../../test/support/redis-server.js';
import { WxRedisStore } from './wx-redis-store.js';

describe('WxRedisStore (against a real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let store: WxRedisStore;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  beforeEach(() => {
    store = new WxRedisStore({ url: server.url, prefix: 'spec:' });
  });
  afterEach(async () => {
    await store.close();
    await redis.flushall();
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('keeps values under its prefix, for their time to live in milliseconds', async () => {
    await store.set('token:wx1:o1', 'v', 60_000);
    expect(await redis.get('spec:{token:wx1:o1}')).toBe('v');
    const ttl = await redis.pttl('spec:{token:wx1:o1}');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.get('token:wx1:missing')).toBeUndefined();
  });

  it('claims a key for one of many concurrent callers, on any connection', async () => {
    const other = new WxRedisStore({ url: server.url, prefix: 'spec:' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? store : other).claim('state:wx1:n1', `code${i}`, 10_000),
      ),
    );
    await other.close();
    const winners = answers.filter((answer) => answer === undefined);
    expect(winners).toHaveLength(1);
    const first = await redis.get('spec:{state:wx1:n1}');
    expect(
      answers.filter((answer) => answer !== undefined).every((answer) => answer === first),
    ).toBe(true);
  });

  it('keeps leases apart from values, in their slot, and writes a value only for the lease holder', async () => {
    const lease = (await store.lock('token:wx1:o1', 10_000))!;
    expect(await redis.get('spec:lease:{token:wx1:o1}')).toBe(lease);
    expect(await store.setIfLocked('token:wx1:o1', 'late', 60_000, 'someone-else')).toBe(false);
    expect(await store.setIfLocked('token:wx1:o1', 'fresh', 60_000, lease)).toBe(true);
    expect(await store.get('token:wx1:o1')).toBe('fresh');
    await store.unlock('token:wx1:o1', lease);
    expect(await redis.exists('spec:lease:{token:wx1:o1}')).toBe(0);
  });

  it("closes the client it made, and never the app's own", async () => {
    const client = new Redis(server.url);
    const borrowed = new WxRedisStore({ client });
    await borrowed.set('k', 'v', 1000);
    await borrowed.close();
    expect(client.status).toBe('ready');
    client.disconnect();
    await store.close();
    await expect(store.get('k')).rejects.toMatchObject({ kind: 'store_unavailable' });
  });

  it('takes one place to connect to, and a prefix that leaves the hash tags to it', () => {
    expect(() => new WxRedisStore({})).toThrow(
      'WxRedisStore needs exactly one of url, cluster, sentinel or client',
    );
    expect(
      () => new WxRedisStore({ url: server.url, cluster: [`127.0.0.1:${server.port}`] }),
    ).toThrow('exactly one of');
    expect(() => new WxRedisStore({ url: server.url, prefix: '{wx}:' })).toThrow(
      "WxRedisStore's prefix may not hold { or }",
    );
  });
});
