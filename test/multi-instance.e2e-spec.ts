/**
 * Two demo instances (separate processes, the built app) behind one callback URL,
 * sharing one real Redis, and the sandbox as WeChat in this process so that its
 * clock and counters are at hand.
 */
import { Redis } from 'ioredis';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { type DemoInstances, startDemoInstances } from './support/demo-instances.js';
import { decideUrl } from './support/login-flow.js';
import { RedisServer } from './support/redis-server.js';

const DAY = 24 * 3600 * 1000;

describe('several instances sharing Redis', () => {
  let sandbox: WxSandbox;
  let redisServer: RedisServer;
  let redis: Redis;
  let instances: DemoInstances;
  let a: string;
  let b: string;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    redis.on('error', () => undefined);
    // The sandbox's one app: each its own users, in memory (demo-database.e2e-spec shares them on PostgreSQL).
    instances = await startDemoInstances(sandbox, { REDIS_URL: redisServer.url }, { oneApp: true });
    ({ a, b } = instances);
  }, 30_000);

  afterAll(async () => {
    await instances?.stop();
    expect(instances?.output() ?? '').not.toContain(sandbox.secret);
    redis.disconnect();
    await redisServer.stop();
    await sandbox.close();
  });

  const alice = () => sandbox.users.find((u) => u.key === 'alice')!;
  const tokenKey = () => `wx-oauth:{token:${sandbox.appid}:${alice().openid}}`;

  /** Starts on `startOn`, approves as alice in the sandbox, lands on the callback URL (instance B). */
  async function login(
    startOn: string,
  ): Promise<{ session: string; state: string; cookie: string }> {
    const start = await fetch(`${startOn}/auth/wechat/mp`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!.replace(/#.*$/, ''));
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const callback = (
      await fetch(decideUrl(authorize.toString(), sandbox.url, 'alice', 'approve'), {
        redirect: 'manual',
      })
    ).headers.get('location')!;
    expect(callback.startsWith(`${b}/auth/wechat/callback?`)).toBe(true);
    const landed = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(landed.status).toBe(302);
    const session = landed.headers
      .getSetCookie()
      .find((c) => c.startsWith('demo_session='))!
      .split(';')[0];
    return { session, state: authorize.searchParams.get('state')!, cookie };
  }

  const userinfo = (url: string, session: string) =>
    fetch(`${url}/api/wechat/userinfo`, { headers: { cookie: session } });

  /** Makes the saved access token expired for the app (in Redis) and for WeChat (the sandbox clock). */
  async function expireAccessToken(): Promise<void> {
    const stored = JSON.parse((await redis.get(tokenKey()))!) as { accessTokenExpiresAt: number };
    stored.accessTokenExpiresAt = Date.now() - 1000;
    await redis.set(tokenKey(), JSON.stringify(stored), 'KEEPTTL');
    sandbox.advance(7201 * 1000);
  }

  it('finishes on B a login started on A, saves the tokens in Redis, and refuses the state past its second callback', async () => {
    const { session, state, cookie } = await login(a);
    const saved = JSON.parse((await redis.get(tokenKey()))!);
    expect(saved).toMatchObject({
      openid: alice().openid,
      scope: 'snsapi_userinfo',
      accessToken: expect.any(String),
    });
    expect(saved.refreshTokenExpiresAt - Date.now()).toBeGreaterThan(29 * DAY);
    expect((await userinfo(a, session)).status).toBe(200);

    // The single-use record is in Redis: instance A knows B used this state. WeChat's second
    // callback with a new code, from the same browser right after, logs in there too; a third code is refused.
    const callbackOnA = (code: string) =>
      fetch(`${a}/auth/wechat/callback?code=${code}&state=${state}`, {
        redirect: 'manual',
        headers: { cookie },
      });
    const second = await callbackOnA(sandbox.issueCode('alice', 'snsapi_userinfo'));
    expect(second.status).toBe(302);
    expect(second.headers.get('location')).toBe('/profile');
    expect((await callbackOnA(sandbox.issueCode('alice', 'snsapi_userinfo'))).status).toBe(401);
  });

  it('refreshes an expired token once for 50 concurrent calls over both instances', async () => {
    const { session } = await login(a);
    await expireAccessToken();
    sandbox.resetStats();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => userinfo(i % 2 ? a : b, session)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const profiles = (await Promise.all(answers.map((r) => r.json()))) as { openid: string }[];
    expect(new Set(profiles.map((p) => p.openid))).toEqual(new Set([alice().openid]));
    expect(sandbox.stats.requests.refresh_token).toBe(1);
    expect(sandbox.stats.requests.userinfo).toBe(50);
    const refreshed = JSON.parse((await redis.get(tokenKey()))!);
    expect(refreshed.accessTokenExpiresAt).toBeGreaterThan(Date.now() + 3600 * 1000);
  });

  it('asks for a new login once the refresh token is past 30 days, and forgets the tokens', async () => {
    const { session } = await login(a);
    await expireAccessToken();
    sandbox.advance(31 * DAY);
    const res = await userinfo(b, session);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'refresh_expired', errcode: 42002 });
    expect(await redis.get(tokenKey())).toBeNull();
    // A page instead of the API sends the browser to log in again.
    const page = await fetch(`${a}/profile`, { redirect: 'manual' });
    expect(page.status).toBe(302);
  });

  it('refuses a session logged out on A on both instances, a copy of its cookie included', async () => {
    const { session } = await login(a);
    const profile = (url: string) =>
      fetch(`${url}/profile`, { redirect: 'manual', headers: { cookie: session } });
    expect((await profile(b)).status).toBe(200);

    const logout = await fetch(`${a}/logout`, { redirect: 'manual', headers: { cookie: session } });
    expect(logout.status).toBe(302);
    expect(logout.headers.getSetCookie().join()).toMatch(/demo_session=;/);

    for (const url of [a, b]) {
      const res = await profile(url);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/login?returnTo=%2Fprofile');
      expect((await userinfo(url, session)).status).toBe(401);
    }
  });

  it('fails fast and clearly while Redis is down, keeps what needs no store, and recovers', async () => {
    const { session } = await login(a);
    await redisServer.stop();
    try {
      const started = Date.now();
      const res = await userinfo(a, session);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        kind: 'store_unavailable',
        message: expect.stringContaining('token store'),
      });
      expect(Date.now() - started).toBeLessThan(3000);

      // Starting a login, the home page and health need no store.
      expect((await fetch(`${a}/auth/wechat/mp`, { redirect: 'manual' })).status).toBe(302);
      expect((await fetch(`${b}/health`)).status).toBe(200);
      expect((await fetch(`${a}/`)).status).toBe(200);
    } finally {
      await redisServer.restart();
    }
    // Redis came back empty (no persistence here): a new login works on both instances again.
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await login(a).then(
        ({ session: s }) => userinfo(b, s).then((r) => r.status),
        () => 0,
      );
    }
    expect(status).toBe(200);
  }, 30_000);
});
