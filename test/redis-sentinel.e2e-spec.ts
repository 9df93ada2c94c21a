/**
 * Two demo instances (separate processes, the built app) on a master watched
 * by three sentinels, with a replica, that the test starts; the master crashes
 * during a stream of logins. Every login completes or answers 503, none hangs,
 * and what was stored and replicated before (tokens, single-use records,
 * leases) is neither lost nor spent again after the replica took over.
 */
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import {
  call,
  DEMO_SANDBOX_APPS,
  DemoLogins,
  type DemoInstances,
  type Login,
  startDemoInstances,
  startDemoSandbox,
} from './support/demo-instances.js';
import { RedisSentinels } from './support/redis-sentinel.js';

jest.setTimeout(40_000);

describe('two instances on Redis Sentinel, through a failover', () => {
  let sandbox: WxSandbox;
  let redis: RedisSentinels;
  let instances: DemoInstances;
  let logins: DemoLogins;
  /** The test's own store on the same master, for a lease held across the failover. */
  let store: WxRedisStore;

  beforeAll(async () => {
    [sandbox, redis] = await Promise.all([startDemoSandbox(), RedisSentinels.start()]);
    const sentinels = redis.addresses.map((address) => {
      const [host, port] = address.split(':');
      return { host, port: Number(port) };
    });
    store = new WxRedisStore({ sentinel: { sentinels, name: redis.name }, prefix: 'test:' });
    instances = await startDemoInstances(sandbox, {
      REDIS_SENTINELS: redis.addresses.join(','),
      REDIS_SENTINEL_NAME: redis.name,
    });
    logins = new DemoLogins(sandbox, instances);
  });

  afterAll(async () => {
    await instances?.stop();
    await store?.close();
    await redis?.stop();
    await sandbox?.close();
    const output = instances?.output() ?? '';
    for (const app of sandbox?.apps ?? []) expect(output).not.toContain(app.secret);
  });

  /** Resolves once the replica acknowledged a write made after every earlier one: it holds them all. */
  async function replicated(): Promise<void> {
    const master = new Redis(redis.master.url);
    try {
      await master.set('test:probe', '1');
      expect(await master.wait(1, 5000)).toBe(1);
    } finally {
      master.disconnect();
    }
  }

  it('completes every login or answers 503 while the master crashes, and keeps what it stored before', async () => {
    // Stored before the crash: a user's tokens, a browser state used twice (its second
    // callback is WeChat's re-request), a native app's spent state, the multi-end app's
    // token, a mini-program user's session key, a lease.
    const browser = await logins.browser('alice');
    expect(browser).toMatchObject({ done: true });
    expect((await logins.callbackAgain(instances.a, browser, 'alice')).status).toBe(302);
    const app = await logins.app(instances.a, instances.b, 'bob');
    expect(app).toMatchObject({ done: true });
    expect(await logins.app(instances.b, instances.a, 'carol', true)).toMatchObject({ done: true });
    expect(await logins.miniProgram(instances.a, 'carol')).toMatchObject({ done: true });
    const lease = await store.lock('lease-across-failover', 60_000);
    expect(lease).toEqual(expect.any(String));
    await replicated();
    const refreshes = sandbox.stats.requests.refresh_token;

    // Three clients logging in one after another, in turn each kind, across both instances.
    const outcomes: Login[] = [];
    let stopping = false;
    const stream = Promise.all(
      ['alice', 'bob', 'carol'].map(async (user, worker) => {
        for (let i = worker; !stopping; i++) {
          const [from, to] = i % 2 ? [instances.a, instances.b] : [instances.b, instances.a];
          outcomes.push(
            await [
              () => logins.browser(user),
              () => logins.miniProgram(from, user),
              () => logins.app(from, to, user),
            ][i % 3](),
          );
        }
      }),
    );
    const after = async (count: number) => {
      while (outcomes.filter((o) => o.done).length < count)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await after(6);
    await redis.crashMaster();
    const promotedAt = outcomes.length;
    // On until the new master has served a few more logins.
    await after(outcomes.filter((o) => o.done).length + 6);
    stopping = true;
    await stream;

    // No 500, no hang (status 0): done, or 503; some during the outage, done ones after.
    expect(outcomes.filter((o) => !o.done && o.status !== 503)).toEqual([]);
    expect(outcomes.map((o) => o.status)).toContain(503);
    expect(outcomes.slice(promotedAt).some((o) => o.done)).toBe(true);

    // The tokens are there: no new login, no refresh.
    const userinfo = await call(`${instances.a}/api/wechat/userinfo`, { cookie: browser.session });
    expect(userinfo.status).toBe(200);
    expect(sandbox.stats.requests.refresh_token).toBe(refreshes);
    // The used states stay used: a third callback, the spent app state.
    expect((await logins.callbackAgain(instances.b, browser, 'alice')).status).toBe(401);
    const replay = await logins.appWithState(instances.b, 'bob', app.state!);
    expect(replay).toMatchObject({ status: 401, body: { kind: 'invalid_state' } });
    // The multi-end app's token is not fetched again.
    expect(await logins.app(instances.a, instances.b, 'alice', true)).toMatchObject({ done: true });
    expect(sandbox.appTokensIssued(DEMO_SANDBOX_APPS.multiEndApp)).toBe(1);
    // The session key, and the lease, still held by its holder only.
    const master = new Redis(redis.master.url);
    const openid = sandbox.openidOf('carol', DEMO_SANDBOX_APPS.miniProgram);
    expect(
      await master.exists(`wx-oauth:{mini-session:${DEMO_SANDBOX_APPS.miniProgram}:${openid}}`),
    ).toBe(1);
    master.disconnect();
    expect(await store.lock('lease-across-failover', 60_000)).toBeUndefined();
    await store.unlock('lease-across-failover', lease!);
    expect(await store.lock('lease-across-failover', 60_000)).toEqual(expect.any(String));
  });
});
