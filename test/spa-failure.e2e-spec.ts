/**
 * A login started from a front end on another origin (an SPA) ends on that
 * origin whatever happens, over HTTP against the sandbox on Express and
 * Fastify: a denial in WeChat, WeChat failing, the store failing and the app's
 * validator refusing come back to the SPA with `wx_error` and nothing else;
 * a forged state cookie is not trusted with the way back; and in Chromium the
 * README's SPA shows the denial.
 */
import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import {
  WxAuthGuard,
  WxMemoryStore,
  WxOAuthError,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  type WxWeChatProfile,
  WxValidator,
} from 'nest-wx-oauth';
import { WxSandbox } from 'nest-wx-oauth/testing';
import type { CaptureLogger } from './support/capture-logger.js';
import { launchChromium } from './support/chromium.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import {
  authorize,
  decideUrl,
  type Exchange,
  get,
  login,
  responsesAndLogs,
  startLogin,
} from './support/login-flow.js';
import { serveSpa } from './support/spa-server.js';
import { sandboxLogin } from './support/test-app.js';

const SPA = 'http://localhost:5173';
const ORDERS = `${SPA}/orders/7`;
const FROM_ORDERS = `/auth/wechat?returnTo=${encodeURIComponent(ORDERS)}`;

let sandbox: WxSandbox;
const apps: INestApplication[] = [];
const loggers: CaptureLogger[] = [];

beforeAll(async () => {
  sandbox = await WxSandbox.start({ autoApprove: 'alice' });
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  const seen = responsesAndLogs(loggers);
  for (const text of seen) expect(text).not.toContain(sandbox.secret);
  await sandbox.close();
});

@Controller('auth/wechat')
class LoginController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(): void {}
}

/** The app's validator: bob is not welcome. */
@WxValidator()
class Members implements WxValidator {
  validate(profile: WxWeChatProfile): unknown {
    return profile.openid === sandbox.openidOf('bob') ? null : { openid: profile.openid };
  }
}

/** The memory store, failing as Redis does when it is down, when the test says so. */
class FlakyStore extends WxMemoryStore {
  down = false;

  override claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    if (this.down) return Promise.reject(new WxOAuthError('store_unavailable', 'Store: down'));
    return super.claim(key, value, ttlMs);
  }
}

/** One store for every app, as instances share Redis: passport runs the strategy of the app registered last. */
const store = new FlakyStore();

/** The API on `adapter`, allowing the SPA, with `extra` options; `setup` runs before it listens. */
async function listenApi(
  adapter: 'express' | 'fastify',
  extra: Partial<WxOAuthModuleOptions> = {},
  setup?: (app: INestApplication) => void,
): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { app, logger } = await listenApp(
    port,
    {
      imports: [
        WxOAuthModule.forRoot({
          ...sandboxLogin(sandbox, url),
          frontendOrigins: [SPA],
          store,
          ...extra,
        }),
      ],
      controllers: [LoginController],
      providers: [Members],
    },
    setup,
    adapter,
  );
  apps.push(app);
  loggers.push(logger);
  return url;
}

/** A login from the SPA that the person refuses on WeChat's consent page. */
async function deniedLogin(api: string): Promise<{ callback: Exchange; state: string }> {
  const started = await startLogin(api, FROM_ORDERS);
  const back = await authorize(
    decideUrl(started.authorizeUrl, sandbox.url, 'alice', 'deny').toString(),
  );
  return {
    callback: await get(api, back.pathname + back.search, started.cookie),
    state: started.state,
  };
}

/** The redirect back to the SPA's page, with the failure's kind and nothing else of the login. */
function expectBackOnSpa(callback: Exchange, kind: string): void {
  expect(callback.status).toBe(302);
  const back = new URL(String(callback.headers.location));
  expect(back.origin).toBe(SPA);
  expect(back.pathname).toBe('/orders/7');
  expect([...back.searchParams]).toEqual([['wx_error', kind]]);
  expect(callback.text).toBe('');
}

/** The login's state cookie, expired by the answer. */
function expectStateExpired(callback: Exchange, state: string): void {
  expect(callback.headers['set-cookie']).toContainEqual(
    expect.stringMatching(new RegExp(`^wx_oauth_${state}=; Path=/; Max-Age=0;`)),
  );
}

describe.each(['express', 'fastify'] as const)('a failed SPA login on %s', (adapter) => {
  /** Answers a failure it cannot trace to a front end with JSON, as an API does. */
  let api: string;
  /** Sends such a failure to its failureRedirect page. */
  let paged: string;

  beforeAll(async () => {
    api = await listenApi(adapter);
    paged = await listenApi(adapter, { failureRedirect: '/login/failed' });
  });

  afterEach(() => {
    sandbox.clearFaults();
    store.down = false;
  });

  it('lands a denial in WeChat on the SPA with wx_error=denied, and no code or token', async () => {
    const { callback, state } = await deniedLogin(api);
    expectBackOnSpa(callback, 'denied');
    expectStateExpired(callback, state);
  });

  it("lands there over failureRedirect, as a success goes to the login's returnTo", async () => {
    expectBackOnSpa((await deniedLogin(paged)).callback, 'denied');
  });

  it.each([
    [{ type: 'http500' } as const, 'bad_response'],
    [{ type: 'errcode', errcode: 40029, errmsg: 'invalid code' } as const, 'invalid_code'],
  ])('lands WeChat failing the code exchange (%o) on the SPA as %s', async (fault, kind) => {
    sandbox.inject(fault, { endpoint: 'access_token' });
    const { callback, started } = await login(api, FROM_ORDERS);
    expectBackOnSpa(callback, kind);
    expectStateExpired(callback, started.state);
  });

  it('lands the store failing at the callback on the SPA as store_unavailable', async () => {
    const started = await startLogin(api, FROM_ORDERS);
    const back = await authorize(started.authorizeUrl);
    store.down = true;
    const callback = await get(api, back.pathname + back.search, started.cookie);
    expectBackOnSpa(callback, 'store_unavailable');
    expectStateExpired(callback, started.state);
  });

  it("lands the app's validator refusing the person on the SPA as denied", async () => {
    const started = await startLogin(api, FROM_ORDERS);
    const back = await authorize(
      decideUrl(started.authorizeUrl, sandbox.url, 'bob', 'approve').toString(),
    );
    expectBackOnSpa(await get(api, back.pathname + back.search, started.cookie), 'denied');
  });

  it('trusts no forged or missing state cookie with the way back: the API answers as before', async () => {
    const forge = (cookie: string) => {
      const [name, value] = cookie.split('=');
      const [expires, , appid, signature] = value.split('.');
      const elsewhere = Buffer.from(`${SPA}/elsewhere`).toString('base64url');
      return `${name}=${expires}.${elsewhere}.${appid}.${signature}`;
    };
    for (const url of [api, paged]) {
      const started = await startLogin(url, FROM_ORDERS);
      const back = await authorize(started.authorizeUrl);
      const forged = await get(url, back.pathname + back.search, forge(started.cookie));
      const missing = await get(url, back.pathname + back.search);
      for (const callback of [forged, missing]) {
        if (url === api) {
          expect(callback.status).toBe(401);
          expect(callback.body).toMatchObject({ statusCode: 401, kind: 'invalid_state' });
        } else {
          expect(callback.status).toBe(302);
          expect(callback.headers.location).toBe('/login/failed?wx_error=invalid_state');
        }
      }
    }
  });

  it('still answers a returnTo off the list with 400, before WeChat', async () => {
    const res = await get(
      api,
      `/auth/wechat?returnTo=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: 'invalid_request' });
  });

  it('still hands a successful login to the SPA with a code alone', async () => {
    const { callback } = await login(api, FROM_ORDERS);
    const back = new URL(String(callback.headers.location));
    expect(back.origin + back.pathname).toBe(ORDERS);
    expect([...back.searchParams.keys()]).toEqual(['wx_handoff']);
  });
});

describe("the README's SPA, in Chromium", () => {
  it('shows a denial in WeChat on its own page, the outcome out of the URL', async () => {
    const spaPort = await freePort();
    const spaUrl = `http://127.0.0.1:${spaPort}`;
    const url = await listenApi('express', { frontendOrigins: [spaUrl] }, (app) =>
      app.enableCors({ origin: [spaUrl] }),
    );
    const spa = await serveSpa(spaPort, url);
    const browser = await launchChromium();
    // WeChat's consent page, where the person says no.
    sandbox.setAutoApprove(false);
    try {
      const page = await browser.newPage();
      const landed: string[] = [];
      page.on('request', (req) => {
        if (req.isNavigationRequest() && req.url().startsWith(spaUrl)) landed.push(req.url());
      });
      await page.goto(`${spaUrl}/orders/7`);
      await page.click('#login');
      await page.click('#deny');
      await page.waitForFunction("document.querySelector('#status').textContent !== 'Signed out'");
      expect(await page.textContent('#status')).toBe('WeChat login cancelled');
      expect(landed.map((u) => new URL(u)).map((u) => u.pathname + u.search)).toEqual([
        '/orders/7',
        '/orders/7?wx_error=denied',
      ]);
      expect(page.url()).toBe(`${spaUrl}/orders/7`);
    } finally {
      sandbox.setAutoApprove('alice');
      await browser.close();
      await spa.close();
    }
  });
});
