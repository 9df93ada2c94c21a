/**
 * Two demo instances (separate processes, the built app) on a Redis Cluster of
 * three masters that the test starts: every kind of login across both, the
 * leases (a user's refresh, an app's token) taken once across instances, and
 * the records spread over the masters, each with its hash tag.
 */
import { jest } from '@jest/globals';
import { Cluster } from 'ioredis';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import type { WxSandbox } from 'nest-wx-oauth/testing';
import {
  call,
  DEMO_SANDBOX_APPS,
  DemoLogins,
  type DemoInstances,
  startDemoInstances,
  startDemoSandbox,
} from './support/demo-instances.js';
import { RedisCluster } from './support/redis-cluster.js';

jest.setTimeout(30_000);

describe('two instances on a Redis Cluster', () => {
  let sandbox: WxSandbox;
  let cluster: RedisCluster;
  let redis: Cluster;
  let instances: DemoInstances;
  let logins: DemoLogins;

  beforeAll(async () => {
    [sandbox, cluster] = await Promise.all([startDemoSandbox(), RedisCluster.start()]);
    redis = new Cluster(cluster.nodes);
    instances = await startDemoInstances(sandbox, {
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
    });
    logins = new DemoLogins(sandbox, instances);
  });

  afterAll(async () => {
    await instances?.stop();
    redis?.disconnect();
    await cluster?.stop();
    await sandbox?.close();
    const output = instances?.output() ?? '';
    for (const app of sandbox?.apps ?? []) expect(output).not.toContain(app.secret);
  });

  const tokenKey = (user: string) =>
    `wx-oauth:{token:${DEMO_SANDBOX_APPS.officialAccount}:${sandbox.openidOf(user, DEMO_SANDBOX_APPS.officialAccount)}}`;

  it('logs in through the browser on both, saves the tokens, and spends the state once', async () => {
    const login = await logins.browser('alice');
    expect(login).toMatchObject({ done: true });
    expect(JSON.parse((await redis.get(tokenKey('alice')))!)).toMatchObject({
      openid: sandbox.openidOf('alice', DEMO_SANDBOX_APPS.officialAccount),
    });
    expect(
      (await call(`${instances.a}/api/wechat/userinfo`, { cookie: login.session })).status,
    ).toBe(200);

    // WeChat's re-request with a new code is admitted once, on the other instance too; a third code is not.
    expect((await logins.callbackAgain(instances.a, login, 'alice')).status).toBe(302);
    expect((await logins.callbackAgain(instances.a, login, 'alice')).status).toBe(401);
  });

  it("spends a native app's state once across instances, and fetches the multi-end app's token once for all", async () => {
    const spent = await logins.app(instances.a, instances.b, 'carol');
    expect(spent).toMatchObject({ done: true });
    const replay = await logins.appWithState(instances.a, 'carol', spent.state!);
    expect(replay).toMatchObject({ status: 401, body: { kind: 'invalid_state' } });

    const multiEnd = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? logins.app(instances.a, instances.b, 'alice', true)
          : logins.app(instances.b, instances.a, 'bob', true),
      ),
    );
    expect(multiEnd.map((login) => login.status)).toEqual(Array(10).fill(200));
    expect(sandbox.appTokensIssued(DEMO_SANDBOX_APPS.multiEndApp)).toBe(1);
  });

  it('logs a mini-program user in on either instance and keeps the session key', async () => {
    for (const url of [instances.a, instances.b])
      expect(await logins.miniProgram(url, 'carol')).toMatchObject({ done: true });
    const openid = sandbox.openidOf('carol', DEMO_SANDBOX_APPS.miniProgram);
    expect(
      await redis.exists(`wx-oauth:{mini-session:${DEMO_SANDBOX_APPS.miniProgram}:${openid}}`),
    ).toBe(1);
  });

  it('finishes a follow login whose push reached the other instance, once', async () => {
    const follow = await logins.follow('alice');
    expect(follow).toMatchObject({ done: true });
    expect(follow.done2!.status).toBe(401);
  });

  // Last but one: it moves the sandbox's clock by two hours.
  it('refreshes an expired token once for concurrent calls on both: the lease and the token in one slot', async () => {
    const { session } = await logins.browser('bob');
    const stored = JSON.parse((await redis.get(tokenKey('bob')))!) as {
      accessTokenExpiresAt: number;
    };
    stored.accessTokenExpiresAt = Date.now() - 1000;
    await redis.set(tokenKey('bob'), JSON.stringify(stored), 'KEEPTTL');
    sandbox.advance(7201 * 1000);
    sandbox.resetStats();

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(`${i % 2 ? instances.a : instances.b}/api/wechat/userinfo`, { cookie: session }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(sandbox.stats.requests.refresh_token).toBe(1);
  });

  it("takes the app's own Cluster client: claims, leases and fenced writes on keys of every master", async () => {
    const store = new WxRedisStore({ client: redis, prefix: 'own:' });
    const keys = Array.from({ length: 12 }, (_, i) => `token:app:user${i}`);
    for (const key of keys) {
      expect(await store.claim(`state:${key}`, 'first', 10_000)).toBeUndefined();
      expect(await store.claim(`state:${key}`, 'second', 10_000)).toBe('first');
      const lease = (await store.lock(key, 10_000))!;
      expect(await store.lock(key, 10_000)).toBeUndefined();
      expect(await store.setIfLocked(key, 'token', 10_000, lease)).toBe(true);
      await store.unlock(key, lease);
      expect(await store.get(key)).toBe('token');
    }
    const slots = await Promise.all(keys.map((key) => redis.cluster('KEYSLOT', `own:{${key}}`)));
    const masters = new Set(slots.map((slot) => redis.slots[Number(slot)][0]));
    expect(masters.size).toBe(3);
    await store.close();
    expect(redis.status).toBe('ready');
  });

  it("spreads the demo's records over the masters, each key with its hash tag", async () => {
    const keys = await Promise.all(cluster.nodes.map((node) => keysOn(node)));
    expect(keys.filter((onNode) => onNode.length > 0).length).toBeGreaterThan(1);
    const all = keys.flat();
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((key) => !/^wx-oauth:(lease:)?\{[^{}]+\}$/.test(key))).toEqual([]);
  });

  /** The demo's keys on one master. */
  async function keysOn(node: string): Promise<string[]> {
    const master = redis
      .nodes('master')
      .find((n) => `${n.options.host}:${n.options.port}` === node)!;
    return master.keys('wx-oauth:*');
  }
});
