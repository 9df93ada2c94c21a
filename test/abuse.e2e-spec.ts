/**
 * The demo under traffic that is not a polite single login: one browser
 * starting hundreds of logins, WeChat's double callbacks, malformed links and
 * odd methods, many logins at once. Over HTTP, with a cookie jar that applies
 * every Set-Cookie the way a browser does.
 */
import { jest } from '@jest/globals';
import { startDemo, type DemoApp } from '../apps/demo/src/demo.app.js';
import { CaptureLogger } from './support/capture-logger.js';
import { CookieJar, type WxSandbox } from 'nest-wx-oauth/testing';
import { freePort } from './support/free-port.js';
import { decideUrl } from './support/login-flow.js';

interface Visit {
  status: number;
  location: string | null;
  text: string;
}

const LOGIN = '/auth/wechat/mp';
const STATE_COOKIE = 'wx_oauth_';

describe('the demo under abuse', () => {
  let demo: DemoApp;
  let sandbox: WxSandbox;
  const logger = new CaptureLogger();
  const seen: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      DEMO_DB_FILE: ':memory:',
    };
    demo = await startDemo(env, logger);
    sandbox = demo.sandbox!;
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await demo?.close();
    // The app secret in no answer and no log line of the whole suite.
    expect(seen.length).toBeGreaterThan(500);
    for (const text of [...seen, ...logger.lines]) expect(text).not.toContain(sandbox.secret);
  });

  /** One browser: its own cookies, redirects not followed. */
  class Browser {
    readonly jar = new CookieJar();

    /** Requests `path` on the demo (or an absolute URL) with the jar's cookies, or with `cookie` as a browser that has not applied the last answers. */
    async visit(path: string, init: { method?: string; cookie?: string } = {}): Promise<Visit> {
      const url = path.startsWith('http') ? path : `${demo.url}${path}`;
      const cookie = init.cookie ?? this.jar.header();
      const res = await fetch(url, {
        method: init.method ?? 'GET',
        redirect: 'manual',
        headers: cookie ? { cookie } : {},
      });
      this.jar.apply(res.headers.getSetCookie());
      const text = await res.text();
      seen.push(JSON.stringify([...res.headers]) + text);
      return { status: res.status, location: res.headers.get('location'), text };
    }

    /** Starts a login: the authorize URL the demo sends the browser to. */
    async start(path = LOGIN): Promise<string> {
      const res = await this.visit(path);
      if (res.status !== 302 || !res.location)
        throw new Error(`login start answered ${res.status}`);
      return res.location;
    }

    stateCookies(): string[] {
      return this.jar.names(STATE_COOKIE);
    }
  }

  /** Approves the authorize URL as `user` in the sandbox: the callback path WeChat sends the browser to, with a new code each time. */
  async function approve(authorizeUrl: string, user = 'alice'): Promise<string> {
    const res = await fetch(decideUrl(authorizeUrl, sandbox.url, user, 'approve'), {
      redirect: 'manual',
    });
    const location = new URL(res.headers.get('location')!);
    return location.pathname + location.search;
  }

  const stateOf = (url: string) =>
    new URL(url.replace(/#.*$/, ''), demo.url).searchParams.get('state')!;
  const user = (key: string) => sandbox.users.find((u) => u.key === key)!;

  /** The profile page shows who is logged in. */
  async function loggedInAs(browser: Browser, key: string): Promise<void> {
    const profile = await browser.visit('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toContain(user(key).openid);
  }

  describe('a browser that starts logins and never finishes them', () => {
    it('keeps a handful of small state cookies after 300 starts; the site and a new login still work', async () => {
      const browser = new Browser();
      const started: string[] = [];
      for (let i = 0; i < 300; i++) started.push(await browser.start());
      expect(browser.stateCookies().length).toBeLessThanOrEqual(4);
      expect(browser.jar.header().length).toBeLessThan(600);

      expect((await browser.visit('/')).status).toBe(200);
      // The newest logins still finish; the oldest are gone with their cookies.
      const newest = started.at(-1)!;
      expect(browser.stateCookies()).toContain(`${STATE_COOKIE}${stateOf(newest)}`);
      const oldest = await browser.visit(await approve(started[0]));
      expect(oldest.status).toBe(401);
      const landed = await browser.visit(await approve(newest));
      expect(landed).toMatchObject({ status: 302, location: '/profile' });
      await loggedInAs(browser, 'alice');

      // A new login after all that still works.
      const again = await browser.visit(await approve(await browser.start(), 'bob'));
      expect(again).toMatchObject({ status: 302, location: '/profile' });
      await loggedInAs(browser, 'bob');
    });

    it('stays within a few KB when every login carries the longest returnTo', async () => {
      const browser = new Browser();
      const returnTo = `/profile?${'x'.repeat(2039)}`;
      expect(Buffer.byteLength(returnTo)).toBe(2048);
      let last = '';
      for (let i = 0; i < 100; i++)
        last = await browser.start(`${LOGIN}?returnTo=${encodeURIComponent(returnTo)}`);
      expect(browser.jar.header().length).toBeLessThan(7 * 1024);
      expect((await browser.visit('/')).status).toBe(200);
      const landed = await browser.visit(await approve(last));
      expect(landed).toMatchObject({ status: 302, location: returnTo });
    });

    it('lets the newest four logins, started one after another, all finish', async () => {
      const browser = new Browser();
      for (let i = 0; i < 10; i++) await browser.start();
      const tabs = [
        await browser.start(),
        await browser.start(),
        await browser.start(),
        await browser.start(),
      ];
      for (const tab of tabs)
        expect(await browser.visit(await approve(tab))).toMatchObject({
          status: 302,
          location: '/profile',
        });
      expect(browser.stateCookies()).toEqual([]);
    });
  });

  describe("WeChat's double callback", () => {
    it('logs in on both requests when the same code comes twice, with one exchange', async () => {
      const browser = new Browser();
      const callback = await approve(await browser.start());
      const cookie = browser.jar.header();
      sandbox.resetStats();
      const [a, b] = await Promise.all([
        browser.visit(callback, { cookie }),
        browser.visit(callback, { cookie }),
      ]);
      expect([a.location, b.location]).toEqual(['/profile', '/profile']);
      expect(sandbox.stats.requests.access_token).toBe(1);
      await loggedInAs(browser, 'alice');
    });

    it('logs in on the second request when it brings the same state with a new code', async () => {
      const browser = new Browser();
      const authorizeUrl = await browser.start();
      const first = await approve(authorizeUrl);
      const second = await approve(authorizeUrl);
      expect(new URLSearchParams(second.split('?')[1]).get('code')).not.toBe(
        new URLSearchParams(first.split('?')[1]).get('code'),
      );
      // The browser never applied the first answer (its session, the expired state cookie): it sends the old cookies.
      const cookie = browser.jar.header();
      const firstAnswer = await browser.visit(first, { cookie });
      expect(firstAnswer).toMatchObject({ status: 302, location: '/profile' });
      const secondAnswer = await browser.visit(second, { cookie });
      expect(secondAnswer).toMatchObject({ status: 302, location: '/profile' });
      await loggedInAs(browser, 'alice');
    });

    it('refuses the new code once the window has passed, or from another browser', async () => {
      const browser = new Browser();
      const authorizeUrl = await browser.start();
      const first = await approve(authorizeUrl);
      const cookie = browser.jar.header();
      expect((await browser.visit(first, { cookie })).status).toBe(302);

      const elsewhere = new Browser();
      expect((await elsewhere.visit(await approve(authorizeUrl))).status).toBe(401);
      expect((await elsewhere.visit('/profile')).status).toBe(302);

      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + 6_000);
      const late = await browser.visit(await approve(authorizeUrl), { cookie });
      expect(late.status).toBe(401);
      expect(late.text).toContain('This login link has expired');
    });
  });

  describe('malformed links and odd methods', () => {
    /** A live login in `browser`: its state and an unused code for it. */
    async function live(browser: Browser): Promise<{ state: string; code: string }> {
      const callback = new URLSearchParams((await approve(await browser.start())).split('?')[1]);
      return { state: callback.get('state')!, code: callback.get('code')! };
    }

    it('answers repeated, bracketed and oversized parameters with 400, exchanging nothing', async () => {
      const browser = new Browser();
      const { state, code } = await live(browser);
      sandbox.resetStats();
      const paths = [
        `/auth/wechat/callback?code=${code}&code=${code}&state=${state}`,
        `/auth/wechat/callback?code=${code}&state=${state}&state=${state}`,
        `/auth/wechat/callback?code[]=${code}&state=${state}`,
        `/auth/wechat/callback?code=${code}&state[a]=${state}`,
        `/auth/wechat/callback?code=${code}&state[]=${state}`,
        `/auth/wechat/callback?code=${'c'.repeat(4000)}&state=${state}`,
        `/auth/wechat/callback?code=${code}&state=${'s'.repeat(4000)}`,
        `${LOGIN}?returnTo=/a&returnTo=/b`,
        `${LOGIN}?returnTo[]=/a`,
        `${LOGIN}?returnTo[a]=/a`,
        `${LOGIN}?returnTo=/${'r'.repeat(4000)}`,
        `${LOGIN}?code[]=x`,
        `/auth/wechat/qr?state[a]=x`,
      ];
      for (const path of paths) {
        const res = await browser.visit(path);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.text).toContain('That link is not valid');
        expect(res.location).toBeNull();
      }
      // A URL past the server's header limit is refused before the app sees it.
      expect(
        (await browser.visit(`/auth/wechat/callback?code=${'c'.repeat(20_000)}&state=${state}`))
          .status,
      ).toBe(431);
      expect(sandbox.stats.requests.access_token).toBe(0);

      // The login they tried to disturb is intact.
      expect(
        await browser.visit(`/auth/wechat/callback?code=${code}&state=${state}`),
      ).toMatchObject({ status: 302, location: '/profile' });
    });

    it.each(['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
      'answers %s on the login routes with a 4xx, spending no code',
      async (method) => {
        const browser = new Browser();
        const { state, code } = await live(browser);
        sandbox.resetStats();
        const cookiesBefore = browser.stateCookies();
        for (const path of [
          LOGIN,
          '/auth/wechat/qr',
          `/auth/wechat/callback?code=${code}&state=${state}`,
        ]) {
          const res = await browser.visit(path, { method });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.location).toBeNull();
        }
        expect(sandbox.stats.requests.access_token).toBe(0);
        expect(browser.stateCookies()).toEqual(cookiesBefore);
        expect(
          await browser.visit(`/auth/wechat/callback?code=${code}&state=${state}`),
        ).toMatchObject({ status: 302, location: '/profile' });
      },
    );
  });

  describe('many logins at once', () => {
    it('logs 30 browsers in concurrently, each as its own user', async () => {
      const keys = ['alice', 'bob'];
      const browsers = Array.from({ length: 30 }, () => new Browser());
      await Promise.all(
        browsers.map(async (browser, i) => {
          const landed = await browser.visit(await approve(await browser.start(), keys[i % 2]));
          expect(landed).toMatchObject({ status: 302, location: '/profile' });
          await loggedInAs(browser, keys[i % 2]);
        }),
      );
    });

    it('finishes the logins one browser starts at once in several tabs', async () => {
      const browser = new Browser();
      const tabs = await Promise.all(Array.from({ length: 4 }, () => browser.start()));
      const callbacks = await Promise.all(tabs.map((tab) => approve(tab)));
      const answers = await Promise.all(callbacks.map((callback) => browser.visit(callback)));
      for (const answer of answers)
        expect(answer).toMatchObject({ status: 302, location: '/profile' });
      await loggedInAs(browser, 'alice');
    });
  });
});
