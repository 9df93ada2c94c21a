/**
 * The demo's native app login: the `/app` stand-in page in Chromium, where the
 * person who logged in on the web is the same demo user (by unionid) in the app,
 * through the OpenSDK's code and the multi-end app's, with the built-in sandbox and
 * with a separate one (its codes from the sandbox's own helpers, as docker-compose
 * runs it); then the two routes over HTTP as an app calls them: a state, spent
 * once, and no login without it.
 */
import { jest } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { startDemo, type DemoApp } from '../apps/demo/src/demo.app.js';
import { CaptureLogger } from './support/capture-logger.js';
import { launchChromium, openPage } from './support/chromium.js';
import { startDemoForBrowser } from './support/demo.js';
import { freePort } from './support/free-port.js';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const MOBILE = 'wx0demo0mobile';
const WEBSITE = 'wx0demo0website';

jest.setTimeout(30_000);

async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const post = (url: string, body: unknown) =>
  call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the demo native app stand-in in Chromium', () => {
  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const logger = new CaptureLogger();
  /** What the Content-Security-Policy refused, as Chromium reports it. */
  let refused: string[];

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    demo = await startDemoForBrowser(logger);
    browser = await launchChromium();
  });

  beforeEach(async () => {
    ({ context, page, refused } = await openPage(browser, {
      viewport: { width: 1100, height: 900 },
    }));
  });

  afterEach(async () => {
    await context.close();
    expect(refused).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    const secrets = demo.sandbox!.apps.map((app) => app.secret);
    for (const line of logger.lines)
      for (const secret of secrets) expect(line).not.toContain(secret);
  });

  const sandbox = () => demo.sandbox!;
  const nicknameOf = (key: string) => sandbox().users.find((u) => u.key === key)!.nickname;

  /** The desktop QR login inside the login page, as `userKey`; lands on the profile. */
  async function logInOnTheWeb(userKey: string): Promise<void> {
    await page.goto(`${demo.url}/`);
    await page.click('#login');
    await page.waitForURL(`${demo.url}/login`);
    const frame = page.frameLocator('#wx_qr iframe');
    await frame.locator('#sandbox-user').selectOption(userKey);
    await frame.locator('#simulate-scan').click();
    await page.waitForURL(`${demo.url}/profile`);
  }

  /** The app stand-in, as `userKey`, through `button`; waits for the user it shows. */
  async function logInInTheApp(userKey: string, button: string): Promise<void> {
    await page.waitForSelector(`#app-user option[value=${userKey}]`, { state: 'attached' });
    await page.selectOption('#app-user', userKey);
    await page.click(button);
    await page.waitForSelector('#app-result:not([hidden])');
  }

  it('is the same demo user on the web page and in the app, by unionid', async () => {
    await logInOnTheWeb('alice');
    const unionid = await page.textContent('#unionid');
    expect(unionid).toBe(sandbox().unionidOf('alice', WEBSITE));

    await page.goto(`${demo.url}/`);
    await page.click('#try-app');
    await page.waitForURL(`${demo.url}/app`);
    await logInInTheApp('alice', '#app-login-opensdk');
    expect(await page.textContent('#app-nickname')).toBe(nicknameOf('alice'));
    expect(await page.textContent('#app-linked')).toBe('linked to the web logins by unionid');
    expect(await page.textContent('#app-appid')).toBe(MOBILE);
    expect(await page.textContent('#app-openid')).toBe(sandbox().openidOf('alice', MOBILE));
    expect(await page.textContent('#app-unionid')).toBe(unionid);
    const output = (await page.textContent('#app-output'))!;
    expect(output).toContain('POST /auth/wechat/app/state: 200');
    expect(output).toContain('OpenSDK SendAuthReq → SendAuth.Resp');
    expect(output).toContain('POST /auth/wechat/app: 200');

    // The bearer token opens /api/me: one person, with the website's openid and the app's.
    await page.click('#app-me:enabled');
    await page.waitForSelector('#app-output:has-text("GET /api/me: 200")');
    expect(await page.textContent('#app-openids .openid[data-app=website]')).toBe(
      `website app ${WEBSITE}: ${sandbox().openidOf('alice', WEBSITE)}`,
    );
    expect(await page.textContent('#app-openids .openid[data-app=mobileApp]')).toBe(
      `mobile app ${MOBILE}: ${sandbox().openidOf('alice', MOBILE)}`,
    );
    await page.screenshot({ path: `${artifacts}app-login.png`, fullPage: true });

    // The web profile shows the app's identity too.
    await page.goto(`${demo.url}/profile`);
    expect(await page.textContent('#unionid')).toBe(unionid);
    const app = page.locator(`#identities .identity[data-appid=${MOBILE}]`);
    expect(await app.getAttribute('data-app')).toBe('mobileApp');
    expect(await app.locator('.openid').textContent()).toBe(sandbox().openidOf('alice', MOBILE));
    expect(await app.locator('.unionid').textContent()).toBe(unionid);
  });

  it("logs in through the multi-end app's wx.weixinAppLogin() as the mobile app's user", async () => {
    await page.goto(`${demo.url}/app`);
    await logInInTheApp('bob', '#app-login-multiend');
    expect(await page.textContent('#app-nickname')).toBe(nicknameOf('bob'));
    expect(await page.textContent('#app-appid')).toBe(MOBILE);
    expect(await page.textContent('#app-openid')).toBe(sandbox().openidOf('bob', MOBILE));
    expect(await page.textContent('#app-unionid')).toBe(sandbox().unionidOf('bob', MOBILE));
    expect(await page.textContent('#app-output')).toContain('wx.weixinAppLogin()');

    // The OpenSDK's login afterwards is the same user, with the same single openid.
    await logInInTheApp('bob', '#app-login-opensdk');
    await page.click('#app-me:enabled');
    await page.waitForSelector('#app-output:has-text("GET /api/me: 200")');
    expect(await page.locator('#app-openids .openid').allTextContents()).toEqual([
      `mobile app ${MOBILE}: ${sandbox().openidOf('bob', MOBILE)}`,
    ]);
  });

  it('answers a state once: a reused one is 401 before WeChat sees the code', async () => {
    const issued = await post(`${demo.url}/auth/wechat/app/state`, {});
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ state: expect.stringMatching(/^[\w-]{43}$/), expiresIn: 300 });
    const { state } = issued.body;
    const first = sandbox().appLogin({ user: 'carol', state });
    const login = await post(`${demo.url}/auth/wechat/app`, { code: first.code, state });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      linked: true,
      user: {
        unionid: sandbox().unionidOf('carol', MOBILE),
        openid: sandbox().openidOf('carol', MOBILE),
      },
    });
    const me = await call(`${demo.url}/api/me`, {
      headers: { authorization: `Bearer ${login.body.token}` },
    });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: login.body.user.id,
      unionid: sandbox().unionidOf('carol', MOBILE),
      identities: [
        { kind: 'mobileApp', appid: MOBILE, openid: sandbox().openidOf('carol', MOBILE) },
      ],
    });

    const exchanges = sandbox().stats.requests.access_token;
    const second = sandbox().appLogin({ user: 'carol', state });
    const reused = await post(`${demo.url}/auth/wechat/app`, { code: second.code, state });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ kind: 'invalid_state' });
    expect(sandbox().stats.requests.access_token).toBe(exchanges);
  });

  it('answers 401 without a state, and 400 without a code, as JSON', async () => {
    const code = sandbox().appLogin({ user: 'carol' }).code;
    const none = await post(`${demo.url}/auth/wechat/app`, { code });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, kind: 'invalid_state' });
    const noCode = await post(`${demo.url}/auth/wechat/app`, { state: 'x' });
    expect(noCode.status).toBe(400);
    expect(noCode.body).toMatchObject({ kind: 'invalid_request' });
  });
});

// A describe of its own: two demos at once in one process would share passport's strategies.
describe('the demo native app stand-in against a separate sandbox, in Chromium', () => {
  it("logs in with the codes of the sandbox's own helpers, where the browser reaches it", async () => {
    // The browser reaches the sandbox by another address than the demo does, as through
    // docker-compose's port mapping; its avatars are on that address too.
    const sandboxPort = await freePort();
    const publicUrl = `http://localhost:${sandboxPort}`;
    const sandbox = await WxSandbox.start({
      port: sandboxPort,
      publicUrl,
      apps: [
        { appid: 'wx0sep0official', kind: 'officialAccount', openPlatform: 'acme' },
        { appid: 'wx0sep0mobile', kind: 'mobileApp', openPlatform: 'acme' },
        { appid: 'wx0sep0multiend', kind: 'multiEndApp', mobileAppid: 'wx0sep0mobile' },
      ],
    });
    const secret = (appid: string) => sandbox.app(appid).secret;
    const demo = await startDemo({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DEMO_DB_FILE: ':memory:',
      WX_SANDBOX_URL: sandbox.url,
      WX_SANDBOX_PUBLIC_URL: publicUrl,
      WX_SANDBOX_MP_APPID: 'wx0sep0official',
      WX_SANDBOX_MP_SECRET: secret('wx0sep0official'),
      WX_SANDBOX_MOBILE_APPID: 'wx0sep0mobile',
      WX_SANDBOX_MOBILE_SECRET: secret('wx0sep0mobile'),
      WX_SANDBOX_MULTIEND_APPID: 'wx0sep0multiend',
      WX_SANDBOX_MULTIEND_SECRET: secret('wx0sep0multiend'),
    });
    const browser = await launchChromium();
    const refused: string[] = [];
    const codesFrom = new Set<string>();
    try {
      expect(demo.sandbox).toBeUndefined();
      const page = await (await browser.newContext()).newPage();
      page.on('console', (message) => {
        if (/Content Security Policy/.test(message.text())) refused.push(message.text());
      });
      page.on('request', (request) => {
        if (request.url().includes('/sandbox/app/')) codesFrom.add(new URL(request.url()).origin);
      });
      const logInInTheApp = async (userKey: string, button: string) => {
        await page.waitForSelector(`#app-user option[value=${userKey}]`, { state: 'attached' });
        await page.selectOption('#app-user', userKey);
        await page.click(button);
        await page.waitForSelector('#app-result:not([hidden])');
      };

      await page.goto(`${demo.url}/`);
      await page.click('#try-app');
      await page.waitForURL(`${demo.url}/app`);
      await logInInTheApp('alice', '#app-login-opensdk');
      expect(await page.textContent('#app-nickname')).toBe('Alice');
      expect(await page.textContent('#app-appid')).toBe('wx0sep0mobile');
      expect(await page.textContent('#app-openid')).toBe(
        sandbox.openidOf('alice', 'wx0sep0mobile'),
      );
      expect(await page.textContent('#app-unionid')).toBe(
        sandbox.unionidOf('alice', 'wx0sep0official'),
      );
      expect(await page.getAttribute('#app-avatar', 'src')).toBe(
        `${publicUrl}/sandbox/avatar/alice.svg`,
      );

      await logInInTheApp('bob', '#app-login-multiend');
      expect(await page.textContent('#app-openid')).toBe(sandbox.openidOf('bob', 'wx0sep0mobile'));
      expect(await page.textContent('#app-output')).toContain('wx.weixinAppLogin()');
      await page.click('#app-me:enabled');
      await page.waitForSelector('#app-output:has-text("GET /api/me: 200")');

      // Every code from the sandbox's address for browsers; each JSON POST after its CORS preflight.
      expect([...codesFrom]).toEqual([publicUrl]);
      expect(sandbox.stats.requests).toMatchObject({
        app_users: 1,
        app_login: 2,
        app_identity_code: 2,
        access_token: 1,
        code2verifyinfo: 1,
      });
      expect(refused).toEqual([]);
      // The demo serves no codes of its own.
      expect((await fetch(`${demo.url}/sandbox/app/users`)).status).toBe(404);
    } finally {
      await browser.close();
      await demo.close();
      await sandbox.close();
    }
  });
});

describe('the demo native app login on other targets', () => {
  it("logs a separate sandbox's mobile app in, and its stand-in page has no multi-end button without a multi-end app", async () => {
    const sandbox = await WxSandbox.start({
      apps: [
        { appid: 'wx0sep0official', kind: 'officialAccount', openPlatform: 'acme' },
        { appid: 'wx0sep0mobile', kind: 'mobileApp', openPlatform: 'acme' },
      ],
    });
    const demo = await startDemo({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DEMO_DB_FILE: ':memory:',
      WX_SANDBOX_URL: sandbox.url,
      WX_SANDBOX_MP_APPID: 'wx0sep0official',
      WX_SANDBOX_MP_SECRET: sandbox.app('wx0sep0official').secret,
      WX_SANDBOX_MOBILE_APPID: 'wx0sep0mobile',
      WX_SANDBOX_MOBILE_SECRET: sandbox.app('wx0sep0mobile').secret,
    });
    try {
      const { state } = (await post(`${demo.url}/auth/wechat/app/state`, {})).body;
      const { code } = sandbox.appLogin({ user: 'alice', state });
      const login = await post(`${demo.url}/auth/wechat/app`, { code, state });
      expect(login.status).toBe(200);
      expect(login.body.user.unionid).toBe(sandbox.unionidOf('alice', 'wx0sep0mobile'));
      // The stand-in page sends the browser to the sandbox for its codes; the demo serves none.
      const standIn = await fetch(`${demo.url}/app`);
      expect(standIn.status).toBe(200);
      const html = await standIn.text();
      expect(html).toContain(sandbox.url);
      expect(html).toContain('id="app-login-opensdk"');
      expect(html).not.toContain('id="app-login-multiend"');
      expect(standIn.headers.get('content-security-policy')).toContain(
        `connect-src 'self' ${sandbox.url}`,
      );
      expect((await fetch(`${demo.url}/sandbox/app/users`)).status).toBe(404);
    } finally {
      await demo.close();
      await sandbox.close();
    }
  });

  it('against real WeChat: states for a configured mobile app, no stand-in; none without one', async () => {
    const real = {
      HOST: '127.0.0.1',
      DEMO_DB_FILE: ':memory:',
      WX_MP_APPID: 'wx0real0official',
      WX_MP_SECRET: 'a-real-secret-0000000000000000000',
    };
    const withApp = await startDemo({
      ...real,
      PORT: String(await freePort()),
      WX_MOBILE_APPID: 'wx0real0mobile',
      WX_MOBILE_SECRET: 'a-real-secret-2222222222222222222',
    });
    try {
      expect((await post(`${withApp.url}/auth/wechat/app/state`, {})).status).toBe(200);
      expect((await fetch(`${withApp.url}/app`)).status).toBe(404);
      expect((await post(`${withApp.url}/sandbox/app/login`, { user: 'alice' })).status).toBe(404);
    } finally {
      await withApp.close();
    }
    const without = await startDemo({ ...real, PORT: String(await freePort()) });
    try {
      const state = await post(`${without.url}/auth/wechat/app/state`, {});
      expect(state.status).toBe(400);
      expect(state.body).toMatchObject({ kind: 'flow_unavailable' });
    } finally {
      await without.close();
    }
  });
});
