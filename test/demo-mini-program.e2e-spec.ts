/**
 * The demo's mini-program API over HTTP, as a mini-program calls it: the login
 * answers the site's bearer token and the linked user, `/api/me` takes the
 * token only, every failure is JSON at its status, and a mini-program bound
 * to no Open Platform account says its user is a separate one.
 */
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import { startDemo, type DemoApp } from '../apps/demo/src/demo.app.js';
import { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';

const MINI = 'wx0demo0miniprog';

async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, any>,
  };
}

function logIn(demo: DemoApp, body: unknown) {
  return call(`${demo.url}/auth/wechat/miniprogram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('the demo mini-program API', () => {
  let demo: DemoApp;
  const logger = new CaptureLogger();

  beforeAll(async () => {
    demo = await startDemo(
      { PORT: String(await freePort()), HOST: '127.0.0.1', DEMO_DB_FILE: ':memory:' },
      logger,
    );
  });

  afterAll(async () => {
    await demo?.close();
    const keys = ['alice', 'bob'].map((key) => demo.sandbox!.sessionKeyOf(key, MINI));
    for (const line of logger.lines)
      for (const secret of [demo.sandbox!.secret, ...keys.filter(Boolean)])
        expect(line).not.toContain(secret);
  });

  it('logs in with wx.login() and the phone code, and /api/me answers the linked user with the bearer token', async () => {
    const sandbox = demo.sandbox!;
    const login = await logIn(demo, {
      code: sandbox.wxLogin('alice', MINI),
      phoneCode: sandbox.phoneCode('alice', MINI),
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      linked: true,
      user: {
        unionid: sandbox.unionidOf('alice', MINI),
        openid: sandbox.openidOf('alice', MINI),
        phoneNumber: '13800138000',
      },
    });
    expect(JSON.stringify(login.body)).not.toContain(sandbox.sessionKeyOf('alice', MINI));

    const me = await call(`${demo.url}/api/me`, {
      headers: { authorization: `Bearer ${login.body.token}` },
    });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: login.body.user.id, phoneNumber: '13800138000' });
    expect(me.body.identities).toEqual([
      {
        kind: 'miniProgram',
        appid: MINI,
        openid: sandbox.openidOf('alice', MINI),
        unionid: sandbox.unionidOf('alice', MINI),
        linkedAt: expect.any(String),
      },
    ]);
  });

  it('refuses /api/me without a token, with a bad one, and with a web session token', async () => {
    const sandbox = demo.sandbox!;
    sandbox.setAutoApprove('alice');
    const web = await loginThroughSandbox(demo.url, { sandbox, path: '/auth/wechat/qr' });
    const cookie = /demo_session=([^;]+)/.exec(web.cookie)![1];
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Basic x' },
      { authorization: `Bearer ${cookie}` },
    ];
    for (const headers of attempts) {
      const me = await call(`${demo.url}/api/me`, { headers });
      expect(me.status).toBe(401);
      expect(me.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers a used code 401 and a body with no code 400, as JSON', async () => {
    const code = demo.sandbox!.wxLogin('bob', MINI);
    expect((await logIn(demo, { code })).status).toBe(200);
    const replay = await logIn(demo, { code });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ statusCode: 401, kind: 'invalid_code', errcode: 40163 });
    const empty = await logIn(demo, {});
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({
      kind: 'invalid_request',
      message: 'code must be the code wx.login() gave',
    });
  });

  it("answers 403 for WeChat's high-risk user", async () => {
    demo.sandbox!.setHighRisk('bob', true);
    try {
      const answer = await logIn(demo, { code: demo.sandbox!.wxLogin('bob', MINI) });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ kind: 'user_blocked', errcode: 40226 });
    } finally {
      demo.sandbox!.setHighRisk('bob', false);
    }
  });
});

describe('the demo with an unbound mini-program on a separate sandbox', () => {
  it('logs the mini-program user in as a separate user, and says so', async () => {
    const sandbox = await WxSandbox.start({
      apps: [
        { appid: 'wx0bound0official', kind: 'officialAccount', openPlatform: 'acme' },
        { appid: 'wx0lone0miniprog', kind: 'miniProgram' },
      ],
    });
    const port = await freePort();
    const demo = await startDemo({
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_DB_FILE: ':memory:',
      WX_SANDBOX_URL: sandbox.url,
      WX_SANDBOX_MP_APPID: 'wx0bound0official',
      WX_SANDBOX_MP_SECRET: sandbox.app('wx0bound0official').secret,
      WX_SANDBOX_MINI_APPID: 'wx0lone0miniprog',
      WX_SANDBOX_MINI_SECRET: sandbox.app('wx0lone0miniprog').secret,
    });
    try {
      const login = await logIn(demo, { code: sandbox.wxLogin('alice', 'wx0lone0miniprog') });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({
        linked: false,
        note: expect.stringContaining('not bound to the Open Platform account'),
        user: {
          openid: sandbox.openidOf('alice', 'wx0lone0miniprog'),
          identities: [{ kind: 'miniProgram', appid: 'wx0lone0miniprog' }],
        },
      });
      expect(login.body.user.unionid).toBeUndefined();
      expect(login.body.user.identities[0].unionid).toBeUndefined();
      // The stand-in page points the browser at the separate sandbox.
      const page = await fetch(`${demo.url}/miniprogram`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(sandbox.url);
    } finally {
      await demo.close();
      await sandbox.close();
    }
  });

  it('has no stand-in page against real WeChat', async () => {
    const demo = await startDemo({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DEMO_DB_FILE: ':memory:',
      WX_MP_APPID: 'wx0real0official',
      WX_MP_SECRET: 'a-real-secret-0000000000000000000',
      WX_MINI_APPID: 'wx0real0miniprog',
      WX_MINI_SECRET: 'a-real-secret-1111111111111111111',
    });
    try {
      expect((await fetch(`${demo.url}/miniprogram`)).status).toBe(404);
    } finally {
      await demo.close();
    }
  });
});
