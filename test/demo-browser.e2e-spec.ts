/**
 * The demo in a real browser: Debian's Chromium driven by playwright-core,
 * through the sandbox's WeChat pages. Screenshots land in test/artifacts/.
 */
import { jest } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemo, type DemoApp } from '../apps/demo/src/demo.app.js';
import { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003233) NetType/WIFI Language/zh_CN';

jest.setTimeout(30_000);

describe('the demo in Chromium', () => {
  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const logger = new CaptureLogger();

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    const port = await freePort();
    // The callback's host must be the one the browser uses, or the state cookie stays behind.
    const env = { PORT: String(port), HOST: '127.0.0.1', WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback` };
    demo = await startDemo(env, logger);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // Without these Chromium keeps calling home, which this network refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    for (const line of logger.lines) expect(line).not.toContain(demo.sandbox!.secret);
  });

  const user = (key: string) => demo.sandbox!.users.find((u) => u.key === key)!;
  const shot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });

  /** Home, the login button, the QR page, "simulate scan", the consent page. */
  async function openConsentFromDesktop(): Promise<void> {
    await page.goto(`${demo.url}/`);
    await page.click('#login');
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

  it('logs a desktop user in through the QR page and shows their profile', async () => {
    await loginFromDesktop('bob');
    expect(await page.textContent('#nickname')).toBe(user('bob').nickname);
    expect(await page.textContent('#openid')).toBe(user('bob').openid);
    expect(await page.textContent('#unionid')).toBe(user('bob').unionid);
    expect(await page.textContent('#scope')).toBe('snsapi_login');
    expect(await page.textContent('#is-snapshot')).toBe('no');
    // The avatar comes from the sandbox and loads.
    expect(await page.$eval('img.avatar', (img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
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
    await page.waitForURL(/\/connect\/qrconnect\?/);
  });

  it('takes the official-account route inside WeChat', async () => {
    await context.close();
    context = await browser.newContext({ userAgent: WECHAT_UA, viewport: { width: 390, height: 844 }, isMobile: true });
    page = await context.newPage();
    await page.goto(`${demo.url}/`);
    await page.click('#login');
    await page.waitForURL(/\/connect\/oauth2\/authorize\?.*scope=snsapi_userinfo/);
    await shot('consent-in-wechat');
    await page.click('#approve'); // the first user, alice, is preselected
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.textContent('#nickname')).toBe(user('alice').nickname);
    expect(await page.textContent('#scope')).toBe('snsapi_userinfo');
    await shot('profile-in-wechat');
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

  it('ends the session on logout', async () => {
    await loginFromDesktop('alice');
    await page.click('#logout');
    await page.waitForURL(`${demo.url}/`);
    expect(await page.isVisible('#login')).toBe(true);
    // /profile now sends the browser to log in, back to /profile afterwards.
    await page.goto(`${demo.url}/profile`);
    await page.waitForURL(/\/connect\/qrconnect\?/);
    expect(decodeURIComponent(page.url())).toContain('/auth/wechat/callback');
  });
});
