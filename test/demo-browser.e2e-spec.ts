/**
 * The demo in a real browser: Debian's Chromium driven by playwright-core,
 * through the sandbox's WeChat pages. Screenshots land in test/artifacts/.
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
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003233) NetType/WIFI Language/zh_CN';

jest.setTimeout(30_000);

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('the demo in Chromium', () => {
  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const logger = new CaptureLogger();

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    demo = await startDemoForBrowser(logger);
    browser = await launchChromium();
  });

  /** What the Content-Security-Policy refused on the demo's pages, as Chromium reports it. */
  let refused: string[];

  beforeEach(async () => {
    ({ context, page, refused } = await openPage(browser, {
      viewport: { width: 1100, height: 800 },
    }));
  });

  afterEach(async () => {
    await context.close();
    // Every page still works under the demo's Content-Security-Policy: nothing it needs was refused.
    expect(refused).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    for (const line of logger.lines) expect(line).not.toContain(demo.sandbox!.secret);
  });

  const user = (key: string) => demo.sandbox!.users.find((u) => u.key === key)!;
  const [officialAccount, website, miniProgram] = [0, 1, 2].map(
    (i) => () => demo.sandbox!.apps[i].appid,
  );
  const openidOf = (key: string, appid: string) => demo.sandbox!.openidOf(key, appid);
  const shot = (name: string) =>
    page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });

  /** Home, the login button, WeChat's QR page (the login page's fallback link), "simulate scan", the consent page. */
  async function openConsentFromDesktop(): Promise<void> {
    await page.goto(`${demo.url}/`);
    await page.click('#login');
    await page.waitForURL(`${demo.url}/login`);
    await page.click('#full-page-qr');
    await page.waitForURL(/\/connect\/qrconnect\?/);
    await shot('qr-connect');
    await page.click('#simulate-scan');
    await page.waitForURL(/\/connect\/sandbox\/scan\?/);
  }

  /** ...then approve as `userKey` and land on the profile. */
  async function loginFromDesktop(userKey: string): Promise<void> {
    await openConsentFromDesktop();
    await page.check(`input[name=user][value=${userKey}]`);
    await shot('consent');
    await page.click('#approve');
    await page.waitForURL(`${demo.url}/profile`);
  }

  it("logs a desktop user in through the QR code inside the demo's login page, the state verified", async () => {
    await page.goto(`${demo.url}/`);
    await page.click('#login');
    await page.waitForURL(`${demo.url}/login`);
    // The state was minted with the page: its cookie is in the browser before WeChat is involved.
    const states = (await context.cookies()).filter((c) => c.name.startsWith('wx_oauth_'));
    expect(states).toHaveLength(1);
    const frame = page.frameLocator('#wx_qr iframe');
    await frame.locator('#sandbox-user').waitFor();
    expect(await frame.locator('body').getAttribute('class')).not.toBe('error');
    await shot('login-embedded-qr');
    await frame.locator('#sandbox-user').selectOption('carol');
    const [callback] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/auth/wechat/callback')),
      frame.locator('#simulate-scan').click(),
    ]);
    expect(new URL(callback.url()).searchParams.get('state')).toBe(
      states[0].name.slice('wx_oauth_'.length),
    );
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.textContent('#appid')).toBe(website());
    expect(await page.textContent('#openid')).toBe(openidOf('carol', website()));
    expect(await page.textContent('#scope')).toBe('snsapi_login');
  });

  it('logs a desktop user in through the QR page and shows their profile', async () => {
    await loginFromDesktop('bob');
    expect(await page.textContent('#nickname')).toBe(user('bob').nickname);
    expect(await page.textContent('#appid')).toBe(website());
    expect(await page.textContent('#openid')).toBe(openidOf('bob', website()));
    expect(await page.textContent('#unionid')).toBe(user('bob').unionid);
    expect(await page.textContent('#scope')).toBe('snsapi_login');
    // The avatar comes from the sandbox and loads.
    expect(
      await page.$eval(
        'img.avatar',
        (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
      ),
    ).toBeGreaterThan(0);
    await shot('profile');
  });

  it('shows a friendly error page when the user denies', async () => {
    await openConsentFromDesktop();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/auth/wechat/callback')),
      page.click('#deny'),
    ]);
    expect(response.status()).toBe(401);
    expect(await page.textContent('#error-title')).toBe('Login cancelled');
    expect(await page.textContent('body')).not.toMatch(/at \w+ \(|node_modules|Error:/);
    await shot('denied');
    await page.click('#retry');
    await page.waitForURL(`${demo.url}/login`);
  });

  it('takes the official-account route inside WeChat', async () => {
    await context.close();
    context = await browser.newContext({
      userAgent: WECHAT_UA,
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    page = await context.newPage();
    await page.goto(`${demo.url}/`);
    await page.click('#login');
    await page.waitForURL(/\/connect\/oauth2\/authorize\?.*scope=snsapi_userinfo/);
    await shot('consent-in-wechat');
    await page.click('#approve'); // the first user, alice, is preselected
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.textContent('#nickname')).toBe(user('alice').nickname);
    expect(await page.textContent('#scope')).toBe('snsapi_userinfo');
    expect(await page.textContent('#appid')).toBe(officialAccount());
    await shot('profile-in-wechat');
  });

  it('is one user with both identities after logging in on the phone and on the desktop (unionid), and unlinks one', async () => {
    const phone = await browser.newContext({
      userAgent: WECHAT_UA,
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    const onPhone = await phone.newPage();
    await onPhone.goto(`${demo.url}/login`);
    await onPhone.waitForURL(/\/connect\/oauth2\/authorize\?/);
    await onPhone.check('input[name=user][value=bob]');
    await onPhone.click('#approve');
    await onPhone.waitForURL(`${demo.url}/profile`);
    await phone.close();

    await loginFromDesktop('bob');
    expect(await page.textContent('#unionid')).toBe(user('bob').unionid);
    const identities = await page.$$eval('#identities .identity', (cards) =>
      cards.map((card) =>
        ['.kind', '.appid', '.openid', '.unionid'].map((field) =>
          card.querySelector(field)!.textContent!.trim(),
        ),
      ),
    );
    expect(identities.sort()).toEqual(
      [
        [
          'official account',
          officialAccount(),
          openidOf('bob', officialAccount()),
          user('bob').unionid,
        ],
        ['website app', website(), openidOf('bob', website()), user('bob').unionid],
      ].sort(),
    );
    expect(openidOf('bob', officialAccount())).not.toBe(openidOf('bob', website()));
    // The desktop's own login cannot be unlinked from this session; the phone's can.
    const desktop = page.locator(`#identities .identity[data-appid=${website()}]`);
    const phoneIdentity = page.locator(`#identities .identity[data-appid=${officialAccount()}]`);
    expect(await desktop.locator('.current').textContent()).toBe("this session's login");
    expect(await desktop.locator('button.unlink').count()).toBe(0);
    await shot('profile-linked');

    await phoneIdentity.locator('button.unlink').click();
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.locator('#identities .identity').count()).toBe(1);
    expect(await page.getAttribute('#identities .identity', 'data-appid')).toBe(website());
  });

  it('is the same user through the mini-program stand-in, with its openid and phone number on the web profile', async () => {
    await page.goto(`${demo.url}/`);
    await page.click('#try-mini-program');
    await page.waitForURL(`${demo.url}/miniprogram`);
    await page.waitForSelector('#mp-user option[value=carol]', { state: 'attached' });
    await page.selectOption('#mp-user', 'carol');
    await page.check('#mp-phone');
    await page.click('#mp-login');
    await page.click('#mp-me:enabled');
    await page.waitForSelector('#mp-output:has-text("GET /api/me: 200")');
    const output = (await page.textContent('#mp-output'))!;
    expect(output).toContain('POST /auth/wechat/miniprogram: 200');
    expect(output).toContain(openidOf('carol', miniProgram()));
    expect(output).toContain('"phoneNumber": "13700137000"');
    expect(output).not.toContain(demo.sandbox!.sessionKeyOf('carol', miniProgram())!);
    await shot('mini-program');

    await loginFromDesktop('carol');
    expect(await page.textContent('#unionid')).toBe(user('carol').unionid);
    expect(await page.textContent('#phone')).toBe('13700137000');
    expect(await page.textContent('#identities .identity[data-app=miniProgram] .openid')).toBe(
      openidOf('carol', miniProgram()),
    );
    expect(await page.textContent('#identities .identity[data-app=miniProgram] .appid')).toBe(
      miniProgram(),
    );
  });

  it('answers a reload of the used callback URL with an error page, and keeps working', async () => {
    await openConsentFromDesktop();
    const [callback] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/auth/wechat/callback')),
      page.click('#approve'),
    ]);
    await page.waitForURL(`${demo.url}/profile`);
    const reloaded = await page.goto(callback.url());
    expect(reloaded?.status()).toBe(401);
    expect(await page.textContent('#error-title')).toBe('This login link has expired');
    await shot('used-callback');
    // The session from the first visit is intact.
    await page.goto(`${demo.url}/profile`);
    expect(await page.textContent('#nickname')).toBe(user('alice').nickname);
  });

  it("logs a desktop user in by scanning the official account's QR code, with no click", async () => {
    await page.goto(`${demo.url}/login/follow`);
    const img = page.locator('#follow-qr[src*="showqrcode"]');
    await img.waitFor();
    expect(
      await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 0),
    ).toBe(true);
    await shot('follow-login');
    const ticket = new URL((await img.getAttribute('src'))!).searchParams.get('ticket')!;
    demo.sandbox!.setFollowing('alice', officialAccount(), false);
    const scan = await demo.sandbox!.scan(ticket, 'alice');
    expect(scan.reply?.content).toBe('登录成功 · Logged in');
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.textContent('#appid')).toBe(officialAccount());
    expect(await page.textContent('#openid')).toBe(openidOf('alice', officialAccount()));
  });

  it('ends the session on logout, on the server too', async () => {
    await loginFromDesktop('alice');
    const session = (await context.cookies()).find((c) => c.name === 'demo_session')!;
    await page.click('#logout');
    await page.waitForURL(`${demo.url}/`);
    expect(await page.isVisible('#login')).toBe(true);
    // A copy of the old cookie, put back, is refused: the session was revoked, not just forgotten.
    await context.addCookies([session]);
    await page.goto(`${demo.url}/profile`);
    await page.waitForURL(`${demo.url}/login?returnTo=%2Fprofile`);
    await context.clearCookies({ name: 'demo_session' });
    // /profile now sends the browser to log in, back to /profile afterwards.
    await page.goto(`${demo.url}/profile`);
    await page.waitForURL(`${demo.url}/login?returnTo=%2Fprofile`);
    expect(await page.isVisible('#wx_qr iframe')).toBe(true);
  });
});

describe('the demo with an official account only, in Chromium', () => {
  it('shows a desktop visitor of a site with no website app the follow QR code, and logs them in after the scan', async () => {
    const sandbox = await WxSandbox.start({
      apps: [{ appid: 'wx0only0official', kind: 'officialAccount' }],
    });
    const port = await freePort();
    const demo = await startDemo({
      PORT: String(port),
      HOST: '127.0.0.1',
      WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      DEMO_DB_FILE: ':memory:',
      WX_SANDBOX_URL: sandbox.url,
      WX_SANDBOX_MP_APPID: 'wx0only0official',
      WX_SANDBOX_MP_SECRET: sandbox.app('wx0only0official').secret,
      WX_MP_TOKEN: 'demoFollowToken7',
      WX_MP_AES_KEY: AES_KEY,
    });
    // Safe mode (安全模式): the pushes come encrypted.
    sandbox.setMessagePush('wx0only0official', {
      url: `${demo.url}/wechat/events`,
      token: 'demoFollowToken7',
      encodingAesKey: AES_KEY,
    });
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${demo.url}/`);
      await page.click('#login');
      await page.waitForURL(`${demo.url}/login/follow`);
      const img = page.locator('#follow-qr[src*="showqrcode"]');
      await img.waitFor();
      const ticket = new URL((await img.getAttribute('src'))!).searchParams.get('ticket')!;
      sandbox.setFollowing('bob', 'wx0only0official', true);
      const scan = await sandbox.scan(ticket, 'bob');
      expect(scan.event).toBe('SCAN');
      expect(scan.replyValid).toBe(true);
      await page.waitForURL(`${demo.url}/profile`);
      expect(await page.textContent('#openid')).toBe(sandbox.openidOf('bob', 'wx0only0official'));
    } finally {
      await browser.close();
      await demo.close();
      await sandbox.close();
    }
  });

  it('tells a desktop visitor to open the page in WeChat, with a QR code of the page, and logs in inside WeChat', async () => {
    const sandbox = await WxSandbox.start({
      apps: [{ appid: 'wx0only0official', kind: 'officialAccount' }],
      autoApprove: 'alice',
    });
    const port = await freePort();
    const demo = await startDemo({
      PORT: String(port),
      HOST: '127.0.0.1',
      WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      DEMO_DB_FILE: ':memory:',
      WX_SANDBOX_URL: sandbox.url,
      WX_SANDBOX_MP_APPID: 'wx0only0official',
      WX_SANDBOX_MP_SECRET: sandbox.app('wx0only0official').secret,
    });
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${demo.url}/`);
      await page.click('#login');
      await page.waitForURL(`${demo.url}/login`);
      expect(await page.textContent('#open-in-wechat')).toBe('Open this page in WeChat');
      expect(await page.textContent('#page-url')).toBe(`${demo.url}/login`);
      expect(await page.isVisible('svg[aria-label="this page in WeChat"]')).toBe(true);
      await page.screenshot({ path: `${artifacts}open-in-wechat.png`, fullPage: true });
      // WeChat's error page is never reached: the full-page QR route answers the same page, 400.
      const qr = await page.goto(`${demo.url}/auth/wechat/qr`);
      expect(qr?.status()).toBe(400);
      expect(await page.textContent('#open-in-wechat')).toBe('Open this page in WeChat');

      const phone = await (
        await browser.newContext({ userAgent: WECHAT_UA, isMobile: true })
      ).newPage();
      await phone.goto(`${demo.url}/login`);
      // goto follows the redirects: the official account's login, approved at once, then the profile
      // (with #wechat_redirect: a browser keeps the fragment across redirects that carry none).
      expect(phone.url().replace(/#.*$/, '')).toBe(`${demo.url}/profile`);
      expect(await phone.textContent('#appid')).toBe('wx0only0official');
    } finally {
      await browser.close();
      await demo.close();
      await sandbox.close();
    }
  });
});
