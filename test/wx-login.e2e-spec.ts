import { jest } from '@jest/globals';
import request from 'supertest';
import { type WxAccessToken, WxAuthGuard, type WxWeChatProfile, WxValidator } from 'nest-wx-oauth';
import { WxSandbox } from 'nest-wx-oauth/testing';
import {
  authorize,
  decideUrl,
  get,
  login,
  responsesAndLogs,
  startLogin,
} from './support/login-flow.js';
import {
  MULTI_AUTH_GUARD,
  PLAIN_AUTH_GUARD,
  startTestApp,
  type TestApp,
  type TestAppSetup,
  WX_AUTH_GUARD,
  WX_AUTH_GUARD_FASTIFY,
} from './support/test-app.js';

/** The app's validator: the profile and the tokens to its own user. */
@WxValidator()
class MappingValidator implements WxValidator {
  validate(profile: WxWeChatProfile, tokens?: WxAccessToken): unknown {
    return { userId: `u-${profile.openid}`, gotTokens: Boolean(tokens?.access_token) };
  }
}

/** A validator that refuses every login. */
@WxValidator()
class RefusingValidator implements WxValidator {
  validate(): null {
    return null;
  }
}

// The same login through passport and the strategy 'wechat', four ways: WxAuthGuard on
// either adapter, and @nestjs/passport's own AuthGuard with nothing of ours but
// the strategy, alone and beside a JWT strategy. Every status is the same.
describe.each<[string, TestAppSetup]>([
  ['WxAuthGuard', WX_AUTH_GUARD],
  ['WxAuthGuard on Fastify', WX_AUTH_GUARD_FASTIFY],
  ["AuthGuard('wechat')", PLAIN_AUTH_GUARD],
  ["AuthGuard(['wechat', 'jwt'])", MULTI_AUTH_GUARD],
])('WeChat login through %s (app + sandbox over HTTP)', (_name, setup) => {
  let sandbox: WxSandbox;
  let app: TestApp;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    app = await startTestApp(sandbox, { timeout: 1000 }, setup);
    apps.push(app);
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.setAutoApprove('alice');
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    // One assertion over everything this suite saw: the secret never leaves.
    const seen = responsesAndLogs(apps.map((a) => a.logger));
    expect(seen.length).toBeGreaterThan(30);
    for (const text of seen) expect(text).not.toContain(sandbox.secret);

    await Promise.all(apps.map((a) => a.close()));
    await sandbox.close();
  });

  const alice = () => sandbox.users.find((u) => u.key === 'alice')!;

  describe('the login route', () => {
    it('redirects to the exact WeChat authorize URL with a state cookie', async () => {
      const { authorizeUrl, state, setCookie } = await startLogin(app.url);
      expect(state).toMatch(/^[0-9a-f]{32}$/);
      expect(authorizeUrl).toBe(
        `${sandbox.url}/connect/oauth2/authorize?appid=${sandbox.appid}` +
          `&redirect_uri=${encodeURIComponent(`${app.url}/auth/wechat/callback`)}` +
          `&response_type=code&scope=snsapi_base&state=${state}#wechat_redirect`,
      );
      expect(setCookie).toHaveLength(1);
      expect(setCookie[0]).toMatch(
        new RegExp(`^wx_oauth_${state}=[^;]+; Path=/; Max-Age=600; HttpOnly; SameSite=Lax$`),
      );
    });

    it('asks for the route scope given by @WxAuthScope, and snsapi_login uses the QR page', async () => {
      expect((await startLogin(app.url, '/auth/wechat/userinfo')).authorizeUrl).toContain(
        '/connect/oauth2/authorize?appid=',
      );
      expect((await startLogin(app.url, '/auth/wechat/userinfo')).authorizeUrl).toContain(
        '&scope=snsapi_userinfo&',
      );
      const qr = await startLogin(app.url, '/auth/wechat/qr');
      expect(qr.authorizeUrl).toMatch(/\/connect\/qrconnect\?appid=.*&scope=snsapi_login&state=/);
    });

    it("starts a login whatever the login route's own parameters: the callback is known by its route", async () => {
      const started = await startLogin(app.url, '/auth/wechat?state=signup&code=invite7');
      expect(started.authorizeUrl).toContain(`/connect/oauth2/authorize?appid=${sandbox.appid}&`);
      expect(started.state).toMatch(/^[0-9a-f]{32}$/);
    });

    it('starts a login on the callback route reached with neither code nor state', async () => {
      expect((await startLogin(app.url, '/auth/wechat/callback')).state).toMatch(/^[0-9a-f]{32}$/);
    });

    it('mints a new state for every login', async () => {
      const [a, b] = await Promise.all([startLogin(app.url), startLogin(app.url)]);
      expect(a.state).not.toBe(b.state);
    });
  });

  describe('a successful login', () => {
    it('with snsapi_base gives the openid and makes no userinfo call', async () => {
      sandbox.resetStats();
      const { callback, started } = await login(app.url);
      expect(callback.status).toBe(200);
      expect(callback.body.user).toEqual({
        provider: 'wechat',
        via: 'oauth',
        appid: sandbox.appid,
        id: alice().openid,
        openid: alice().openid,
        scope: ['snsapi_base'],
        isSnapshotUser: false,
        raw: { token: { openid: alice().openid, scope: 'snsapi_base', expires_in: 7200 } },
      });
      expect(sandbox.stats.requests.userinfo).toBe(0);
      expect(sandbox.stats.requests.access_token).toBe(1);
      // The used state's cookie is expired on the way out.
      expect(callback.headers['set-cookie']).toEqual([
        `wx_oauth_${started.state}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`,
      ]);
    });

    it('with snsapi_userinfo gives nickname, avatar and unionid, and no token', async () => {
      const { callback } = await login(app.url, '/auth/wechat/userinfo');
      expect(callback.status).toBe(200);
      const user = callback.body.user as Record<string, unknown>;
      expect(user).toMatchObject({
        id: alice().openid,
        openid: alice().openid,
        unionid: alice().unionid,
        nickname: alice().nickname,
        headimgurl: alice().headimgurl,
        scope: ['snsapi_userinfo'],
        isSnapshotUser: false,
      });
      expect(callback.text).not.toMatch(/access_token|refresh_token/);
    });

    it('with snsapi_login (website QR) logs in too', async () => {
      const { callback } = await login(app.url, '/auth/wechat/qr');
      expect(callback.status).toBe(200);
      expect(callback.body.user).toMatchObject({
        nickname: alice().nickname,
        scope: ['snsapi_login'],
      });
    });

    it('flags a snapshot-page user and asks WeChat for no profile', async () => {
      sandbox.setAutoApprove('snap');
      sandbox.resetStats();
      const { callback } = await login(app.url, '/auth/wechat/userinfo');
      expect(callback.status).toBe(200);
      expect(callback.body.user).toMatchObject({ isSnapshotUser: true });
      expect(sandbox.stats.requests.userinfo).toBe(0);
    });

    it('hands a safe returnTo back to the app', async () => {
      const started = await startLogin(
        app.url,
        `/auth/wechat?returnTo=${encodeURIComponent('/orders/7?tab=paid')}`,
      );
      const callbackUrl = await authorize(started.authorizeUrl);
      const callback = await get(
        app.url,
        callbackUrl.pathname + callbackUrl.search,
        started.cookie,
      );
      expect(callback.body.returnTo).toBe('/orders/7?tab=paid');
    });
  });

  describe('open redirects', () => {
    it.each([
      ['protocol-relative', '//evil.example.com/'],
      ['backslash', '/\\evil.example.com'],
      ['absolute', 'https://evil.example.com/'],
      ['javascript', 'javascript:alert(1)'],
      ['control characters', '/\t/evil.example.com'],
      ['header injection', '/x\r\nLocation: https://evil.example.com'],
    ])('refuses a %s returnTo with 400 and sends nobody anywhere', async (_name, returnTo) => {
      const res = await get(app.url, `/auth/wechat?returnTo=${encodeURIComponent(returnTo)}`);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).toMatchObject({
        statusCode: 400,
        kind: 'invalid_request',
        message: expect.stringContaining('returnTo'),
      });
    });
  });

  describe('refused callbacks', () => {
    it('answers a denial (state, no code) with 401 denied', async () => {
      sandbox.setAutoApprove(false);
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(
        decideUrl(started.authorizeUrl, sandbox.url, 'alice', 'deny').toString(),
      );
      expect(callbackUrl.searchParams.has('code')).toBe(false);
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search, started.cookie);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, kind: 'denied' });
    });

    it('answers a callback without state with 401', async () => {
      const code = sandbox.issueCode('alice', 'snsapi_base');
      const res = await get(app.url, `/auth/wechat/callback?code=${code}`);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining('missing'),
      });
    });

    it('refuses a state started in another browser (no cookie)', async () => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining('another browser'),
      });
    });

    it('refuses a forged state cookie', async () => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      const [name, value] = started.cookie.split('=');
      const forged = `${name}=${value.replace(/\.[^.]*$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')}`;
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search, forged);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining('forged'),
      });
    });

    it('refuses a returnTo swapped into a signed cookie', async () => {
      const started = await startLogin(app.url, '/auth/wechat?returnTo=/a');
      const callbackUrl = await authorize(started.authorizeUrl);
      const [expires, , signature] = started.cookie.split('=')[1].split('.');
      const evil = Buffer.from('//evil.example.com').toString('base64url');
      const cookie = `wx_oauth_${started.state}=${expires}.${evil}.${signature}`;
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search, cookie);
      expect(res.status).toBe(401);
    });

    it('refuses an expired state', async () => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      const later = Date.now() + 601_000;
      jest.spyOn(Date, 'now').mockReturnValue(later);
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search, started.cookie);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining('expired'),
      });
    });

    it('refuses a used state replayed with another code once the second-callback window has passed', async () => {
      const { started, callback } = await login(app.url);
      expect(callback.status).toBe(200);
      const otherCode = sandbox.issueCode('alice', 'snsapi_base');
      const later = Date.now() + 5_001;
      jest.spyOn(Date, 'now').mockReturnValue(later);
      const res = await get(
        app.url,
        `/auth/wechat/callback?code=${otherCode}&state=${started.state}`,
        started.cookie,
      );
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining('already used'),
      });
    });

    it('refuses a used state with another code from a browser without its cookie', async () => {
      const { started, callback } = await login(app.url);
      expect(callback.status).toBe(200);
      const otherCode = sandbox.issueCode('alice', 'snsapi_base');
      const res = await get(
        app.url,
        `/auth/wechat/callback?code=${otherCode}&state=${started.state}`,
      );
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ kind: 'invalid_state' });
    });

    it('refuses a reload of the used callback URL once the browser dropped the cookie', async () => {
      const { callbackUrl } = await login(app.url);
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search);
      expect(res.status).toBe(401);
    });

    it('answers a repeated code parameter with 400 and asks WeChat nothing', async () => {
      const started = await startLogin(app.url);
      sandbox.resetStats();
      const res = await get(
        app.url,
        `/auth/wechat/callback?code=a&code=b&state=${started.state}`,
        started.cookie,
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, kind: 'invalid_request' });
      expect(sandbox.stats.requests.access_token).toBe(0);
    });

    it('answers an invalid code with 401 and WeChat errcode 40029', async () => {
      const started = await startLogin(app.url);
      const res = await get(
        app.url,
        `/auth/wechat/callback?code=notacode&state=${started.state}`,
        started.cookie,
      );
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'invalid_code',
        errcode: 40029,
        errmsg: 'invalid code',
      });
    });

    it('does not let a code used by one login log in another (40163)', async () => {
      const first = await login(app.url);
      expect(first.callback.status).toBe(200);
      const code = first.callbackUrl.searchParams.get('code');
      const second = await startLogin(app.url);
      const res = await get(
        app.url,
        `/auth/wechat/callback?code=${code}&state=${second.state}`,
        second.cookie,
      );
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ kind: 'invalid_code', errcode: 40163 });
    });
  });

  describe('the duplicate callback WeChat sometimes sends', () => {
    it('logs the user in on both requests with one exchange', async () => {
      sandbox.resetStats();
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      const path = callbackUrl.pathname + callbackUrl.search;
      const [a, b] = await Promise.all([
        get(app.url, path, started.cookie),
        get(app.url, path, started.cookie),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.user).toEqual(b.body.user);
      expect(sandbox.stats.requests.access_token).toBe(1);
    });

    it('logs in the second callback that brings the same state with a new code, and no third', async () => {
      const started = await startLogin(app.url);
      const first = await authorize(started.authorizeUrl);
      // WeChat's re-request: the same approval again, a new code for the same state.
      const second = await authorize(started.authorizeUrl);
      expect(second.searchParams.get('state')).toBe(started.state);
      expect(second.searchParams.get('code')).not.toBe(first.searchParams.get('code'));
      sandbox.resetStats();
      const a = await get(app.url, first.pathname + first.search, started.cookie);
      // The browser may never have applied the first answer, which expired the cookie: it still sends it.
      const b = await get(app.url, second.pathname + second.search, started.cookie);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.body.user).toEqual(a.body.user);
      expect(b.headers['set-cookie']).toEqual([
        `wx_oauth_${started.state}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`,
      ]);
      expect(sandbox.stats.requests.access_token).toBe(2);

      // The second code again shares its exchange; a third code is a replay.
      expect((await get(app.url, second.pathname + second.search, started.cookie)).status).toBe(
        200,
      );
      const third = await authorize(started.authorizeUrl);
      const c = await get(app.url, third.pathname + third.search, started.cookie);
      expect(c.status).toBe(401);
      expect(c.body).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining('already used'),
      });
      expect(sandbox.stats.requests.access_token).toBe(2);
    });

    it('also when the second arrives after the first finished', async () => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      const path = `${callbackUrl.pathname}${callbackUrl.search}&connect_redirect=1`;
      const first = await get(app.url, path, started.cookie);
      const second = await get(app.url, path, started.cookie);
      expect([first.status, second.status]).toEqual([200, 200]);
    });
  });

  describe('a browser that keeps starting logins', () => {
    it('has its oldest state cookies beyond four expired on the next login start', async () => {
      const t0 = Date.now();
      const clock = jest.spyOn(Date, 'now');
      const earlier: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.mockReturnValue(t0 + i * 1000);
        earlier.push((await startLogin(app.url)).cookie);
      }
      clock.mockReturnValue(t0 + 5000);
      const res = await get(app.url, '/auth/wechat', earlier.join('; '));
      expect(res.status).toBe(302);
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const names = (cookies: string[]) => cookies.map((c) => c.split('=')[0]);
      expect(names(setCookie.filter((c) => c.includes('Max-Age=0'))).sort()).toEqual(
        names(earlier.slice(0, 2)).sort(),
      );
      expect(setCookie.filter((c) => c.includes('Max-Age=600'))).toHaveLength(1);
    });

    it('has forged and expired state cookies expired too, and keeps the live one', async () => {
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now - 601_000);
      const stale = await startLogin(app.url);
      clock.mockReturnValue(now);
      const live = await startLogin(app.url);
      const forged = `wx_oauth_${'0'.repeat(32)}=abc.def.ghi`;
      const res = await get(
        app.url,
        '/auth/wechat',
        [forged, stale.cookie, live.cookie].join('; '),
      );
      const expired = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .filter((c) => c.includes('Max-Age=0'));
      expect(expired.map((c) => c.split('=')[0]).sort()).toEqual(
        [`wx_oauth_${'0'.repeat(32)}`, `wx_oauth_${stale.state}`].sort(),
      );
    });
  });

  describe('malformed requests', () => {
    it.each([
      [
        'a repeated code',
        (code: string, state: string) =>
          `/auth/wechat/callback?code=${code}&code=${code}&state=${state}`,
      ],
      [
        'a bracketed code',
        (code: string, state: string) => `/auth/wechat/callback?code[]=${code}&state=${state}`,
      ],
      [
        'a bracketed state',
        (code: string, state: string) => `/auth/wechat/callback?code=${code}&state[a]=${state}`,
      ],
      [
        'an oversized code',
        (_code: string, state: string) =>
          `/auth/wechat/callback?code=${'c'.repeat(3000)}&state=${state}`,
      ],
      ['a repeated returnTo on the login route', () => '/auth/wechat?returnTo=/a&returnTo=/b'],
    ])('answers %s with 400 and exchanges nothing', async (_name, path) => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      const code = callbackUrl.searchParams.get('code')!;
      sandbox.resetStats();
      const res = await get(app.url, path(code, started.state), started.cookie);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, kind: 'invalid_request' });
      expect(res.headers.location).toBeUndefined();
      expect(sandbox.stats.requests.access_token).toBe(0);
      // The login itself is intact.
      expect(
        (await get(app.url, callbackUrl.pathname + callbackUrl.search, started.cookie)).status,
      ).toBe(200);
    });

    it('answers HEAD on the login and callback routes with 400, spending no code', async () => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      sandbox.resetStats();
      for (const path of ['/auth/wechat', callbackUrl.pathname + callbackUrl.search]) {
        const res = await request(app.url).head(path).set('Cookie', started.cookie).redirects(0);
        expect(res.status).toBe(400);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      expect(sandbox.stats.requests.access_token).toBe(0);
      expect(
        (await get(app.url, callbackUrl.pathname + callbackUrl.search, started.cookie)).status,
      ).toBe(200);
    });
  });

  describe('when WeChat fails', () => {
    const callbackWith = async () => {
      const started = await startLogin(app.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      return get(app.url, callbackUrl.pathname + callbackUrl.search, started.cookie);
    };

    it('answers errcode -1 with 502 and does not retry the exchange', async () => {
      sandbox.inject(
        { type: 'errcode', errcode: -1, errmsg: 'system error' },
        { endpoint: 'access_token' },
      );
      sandbox.resetStats();
      const res = await callbackWith();
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({
        statusCode: 502,
        kind: 'busy',
        errcode: -1,
        errmsg: 'system error',
      });
      expect(sandbox.stats.requests.access_token).toBe(1);
    });

    it.each([
      ['HTTP 500', { type: 'http500' } as const, 'bad_response'],
      ['a body that is not JSON', { type: 'nonJson' } as const, 'bad_response'],
      ['a reset connection', { type: 'reset' } as const, 'network'],
      ['45011 quota', { type: 'errcode', errcode: 45011 } as const, 'quota'],
    ])('answers %s with 502', async (_name, fault, kind) => {
      sandbox.inject(fault, { endpoint: 'access_token' });
      const res = await callbackWith();
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ kind });
    });

    it('answers a userinfo failure after a good exchange with 502', async () => {
      sandbox.inject({ type: 'http500' }, { endpoint: 'userinfo', times: 2 });
      const started = await startLogin(app.url, '/auth/wechat/userinfo');
      const callbackUrl = await authorize(started.authorizeUrl);
      const res = await get(app.url, callbackUrl.pathname + callbackUrl.search, started.cookie);
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({
        kind: 'bad_response',
        message: expect.stringContaining('/sns/userinfo'),
      });
    });

    it('answers no answer in time with 504, without hanging', async () => {
      sandbox.inject({ type: 'delay', ms: 3000 }, { endpoint: 'access_token' });
      const res = await callbackWith();
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ statusCode: 504, kind: 'timeout' });
    });

    // Logging is WxAuthGuard's own; an AuthGuard('wechat') app logs what it wants.
    if (setup.guard === WxAuthGuard) {
      it('logs what failed, without secrets', async () => {
        sandbox.inject({ type: 'http500' }, { endpoint: 'access_token' });
        await callbackWith();
        expect(app.logger.lines.some((line) => line.includes('answered HTTP 500'))).toBe(true);
      });
    }

    it('answers a WeChat that cannot be reached with 502', async () => {
      const gone = await WxSandbox.start({ autoApprove: 'alice' });
      const broken = await startTestApp(gone, { secret: sandbox.secret }, setup);
      apps.push(broken);
      const started = await startLogin(broken.url);
      const callbackUrl = await authorize(started.authorizeUrl);
      await gone.close();
      const res = await get(broken.url, callbackUrl.pathname + callbackUrl.search, started.cookie);
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({
        kind: 'network',
        message: expect.stringContaining('ECONNREFUSED'),
      });
    });
  });

  // Last: these start apps of their own, and passport's strategy registry and Nest's logger are global.
  describe("the app's validate", () => {
    it('turns the profile and tokens into the user on req.user', async () => {
      const mapped = await startTestApp(sandbox, {}, setup, [MappingValidator]);
      apps.push(mapped);
      const { callback } = await login(mapped.url);
      expect(callback.status).toBe(200);
      expect(callback.body.user).toEqual({ userId: `u-${alice().openid}`, gotTokens: true });
    });

    it('refuses the login with 401 when it returns null', async () => {
      const refusing = await startTestApp(sandbox, {}, setup, [RefusingValidator]);
      apps.push(refusing);
      const { callback } = await login(refusing.url);
      expect(callback.status).toBe(401);
      expect(callback.body).toMatchObject({ statusCode: 401, message: 'The login was refused' });
    });
  });
});
