/**
 * The demo's WeCom (企业微信) login in a real browser: Debian's Chromium driven by
 * playwright-core, through the sandbox's WeCom pages (its web login page, and
 * its in-client authorize page for a browser whose User-Agent says `wxwork`).
 * Screenshots land in test/artifacts/.
 */
import { jest } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { startDemo, type DemoApp } from '../apps/demo/src/demo.app.js';
import { DEMO_SANDBOX_APP_LIST } from '../apps/demo/src/config/demo-sandbox.js';
import { CaptureLogger } from './support/capture-logger.js';
import { launchChromium, openPage } from './support/chromium.js';
import { startDemoForBrowser } from './support/demo.js';
import { freePort } from './support/free-port.js';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
/** The WeCom client's browser: it says MicroMessenger too, and `wxwork`. */
const WECOM_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh ColorScheme/Light';
const IN_WECOM = { userAgent: WECOM_UA, viewport: { width: 390, height: 844 }, isMobile: true };

jest.setTimeout(30_000);

describe("the demo's WeCom login in Chromium", () => {
  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** What the Content-Security-Policy refused on the pages, as Chromium reports it. */
  let refused: string[];
  const logger = new CaptureLogger();

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    demo = await startDemoForBrowser(logger);
    browser = await launchChromium();
  });

  afterEach(async () => {
    await context.close();
    // The profile's avatar, from the sandbox, is not refused by the demo's Content-Security-Policy.
    expect(refused).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    const { secret } = demo.sandbox!.corpApp();
    await demo?.close();
    // The corp app's secret never reaches a log line.
    for (const line of logger.lines) expect(line).not.toContain(secret);
  });

  const sandbox = () => demo.sandbox!;
  const member = (key: string) =>
    sandbox()
      .corp()
      .members.find((m) => m.key === key)!;
  const shot = (name: string) =>
    page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });

  /** A browser: a computer's by default, or the WeCom client's. */
  async function open(options: Parameters<typeof openPage>[1] = {}): Promise<void> {
    ({ context, page, refused } = await openPage(browser, {
      viewport: { width: 1100, height: 800 },
      ...options,
    }));
  }

  /** Home, "Log in with WeCom", WeCom's web login page with its QR code. */
  async function openWebLogin(): Promise<void> {
    await page.goto(`${demo.url}/`);
    expect((await page.textContent('#login-wecom'))!.trim()).toBe(
      'Log in with WeCom · 企业微信登录',
    );
    await page.click('#login-wecom');
    await page.waitForURL(/\/wwlogin\/sso\/login\?.*login_type=CorpApp/);
    await page.locator('main#wecom-login').waitFor();
    expect(await page.isVisible('svg[aria-label="企业微信登录二维码 / WeCom login QR code"]')).toBe(
      true,
    );
  }

  /** Inside the WeCom client: home, "Log in with WeCom", WeCom's authorize page asking for the details. */
  async function openConsentInWeCom(userKey: string): Promise<void> {
    await page.goto(`${demo.url}/`);
    await page.click('#login-wecom');
    await page.waitForURL(/\/connect\/oauth2\/authorize\?.*scope=snsapi_privateinfo/);
    expect(await page.getAttribute('main#wecom-authorize', 'data-consent')).toBe('true');
    await page.click(`label:has(input[name=user][data-user=${userKey}])`);
  }

  const details = () =>
    page.$$eval('#wecom-details dd', (cells) =>
      Object.fromEntries(
        cells.map((cell) => [cell.getAttribute('data-detail'), cell.textContent!.trim()]),
      ),
    );

  it('offers "Log in with WeCom" on the home page, and says what each way shows', async () => {
    await open();
    await page.goto(`${demo.url}/`);
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.isVisible('#login-wecom')).toBe(true);
    const note = (await page.textContent('#wecom-note'))!;
    expect(note).toContain('snsapi_privateinfo');
    expect(note).toContain('your userid alone');
    await shot('wecom-home');
  });

  it("logs a member in through WeCom's web login page: the profile shows the corp and the userid", async () => {
    await open();
    await openWebLogin();
    await shot('wecom-web-login');
    await page.click('a.simulate-scan[data-user=zhangsan]');
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.textContent('#corpid')).toBe(sandbox().corpid);
    expect(await page.textContent('#agentid')).toBe(sandbox().corpApp().agentid);
    expect(await page.textContent('#userid')).toBe(member('zhangsan').userid);
    // The web login gives the userid alone, and the page says why.
    expect(await page.isVisible('#wecom-details')).toBe(false);
    expect(await page.textContent('#wecom-no-details')).toContain('userid alone');
    // The member is a demo user, with the WeCom identity.
    const card = page.locator('#identities .identity[data-app=wecom]');
    expect(await card.locator('.kind').textContent()).toBe('WeCom corp');
    expect(await card.locator('.appid').textContent()).toBe(sandbox().corpid);
    expect(await card.locator('.openid').textContent()).toBe(member('zhangsan').userid);
    expect(await card.locator('.current').textContent()).toBe("this session's login");
    await shot('wecom-profile-web');

    await page.goto(`${demo.url}/`);
    expect(await page.textContent('#logged-in-with')).toContain(
      `logged in with WeCom, as ${member('zhangsan').userid} of corp ${sandbox().corpid}`,
    );
  });

  it('logs a member in inside the WeCom client with their details when they agree to share them', async () => {
    await open(IN_WECOM);
    await openConsentInWeCom('zhangsan');
    await shot('wecom-consent');
    await page.click('#agree');
    await page.waitForURL(`${demo.url}/profile`);
    const zhangsan = member('zhangsan');
    expect(await page.textContent('#nickname')).toBe(zhangsan.name);
    expect(await page.textContent('#userid')).toBe(zhangsan.userid);
    expect(await page.textContent('#wecom-details-note')).toContain('snsapi_privateinfo');
    expect(await details()).toEqual({
      name: zhangsan.name,
      gender: 'male',
      mobile: zhangsan.mobile,
      email: zhangsan.email,
      bizMail: zhangsan.bizMail,
    });
    // The avatar comes from the sandbox and loads.
    expect(
      await page.$eval(
        'img.avatar',
        (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
      ),
    ).toBeGreaterThan(0);
    await shot('wecom-profile-details');
  });

  it('shows only the details a member has: no email for one who has none', async () => {
    await open(IN_WECOM);
    await openConsentInWeCom('lisi');
    await page.click('#agree');
    await page.waitForURL(`${demo.url}/profile`);
    const lisi = member('lisi');
    expect(await details()).toEqual({ name: lisi.name, gender: 'female', mobile: lisi.mobile });
  });

  it('logs a member in inside the WeCom client without details when they decline, nor those of an earlier login', async () => {
    await open(IN_WECOM);
    await openConsentInWeCom('wangwu');
    await page.click('#agree');
    await page.waitForURL(`${demo.url}/profile`);
    expect(await details()).toEqual({ name: member('wangwu').name });
    await context.close();

    await open(IN_WECOM);
    await openConsentInWeCom('wangwu');
    await page.click('#decline');
    await page.waitForURL(`${demo.url}/profile`);
    expect(await page.textContent('#userid')).toBe(member('wangwu').userid);
    expect(await page.textContent('#nickname')).toBe(member('wangwu').userid);
    expect(await page.isVisible('#wecom-details')).toBe(false);
    expect(await page.textContent('#wecom-no-details')).toContain('not when you decline');
    await shot('wecom-profile-declined');
  });

  it('refuses someone who is not a member of the corp with a page that says so (403)', async () => {
    await open();
    for (const key of ['guest', 'customer']) {
      await openWebLogin();
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/wecom'),
        page.click(`a.simulate-scan[data-user=${key}]`),
      ]);
      expect(response.status()).toBe(403);
      await page.locator('#error-title').waitFor();
      expect(await page.textContent('#error-title')).toBe('Not a member of this company');
      expect(await page.textContent('#error-reason')).toContain(
        "Only members of the company's WeCom (企业微信) can log in here",
      );
      expect(await page.textContent('body')).toContain('HTTP 403');
      expect(await page.textContent('body')).not.toMatch(/at \w+ \(|node_modules|Error:/);
      expect(await page.getAttribute('#retry', 'href')).toBe('/auth/wecom');
    }
    await shot('wecom-not-member');
    // Nobody was logged in.
    expect((await context.cookies()).some((c) => c.name === 'demo_session')).toBe(false);
  });

  it("shows WeCom's refusal of the app with its errcode, and asks for the administrator (502)", async () => {
    const { corpid } = sandbox();
    const { agentid } = sandbox().corpApp();
    await open();
    await openWebLogin();
    // The server's IP left out of the app's trusted IPs (企业可信IP): WeCom refuses every call, 60020.
    sandbox().setIpTrusted(corpid, agentid, false);
    try {
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/wecom'),
        page.click('a.simulate-scan[data-user=zhangsan]'),
      ]);
      expect(response.status()).toBe(502);
      await page.locator('#error-title').waitFor();
      expect(await page.textContent('#error-title')).toBe('WeCom refuses this site');
      expect(await page.textContent('#error-reason')).toContain('trusted IPs');
      expect(await page.textContent('#errcode')).toMatch(/^WeCom errcode 60020: /);
    } finally {
      sandbox().setIpTrusted(corpid, agentid, true);
    }
  });
});

describe("the demo's WeCom login with a sandbox on its own, as docker-compose runs it", () => {
  it("logs a member in through that sandbox's corp alone, and offers no WeCom login without it", async () => {
    const sandbox = await WxSandbox.start({ apps: DEMO_SANDBOX_APP_LIST });
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      WX_WECOM_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wecom`,
      DEMO_DB_FILE: ':memory:',
      WX_SANDBOX_URL: sandbox.url,
    };
    // The corp alone: the demo offers the WeCom login alone.
    const demo = await startDemo({
      ...env,
      WX_SANDBOX_WECOM_CORPID: sandbox.corpid,
      WX_SANDBOX_WECOM_AGENTID: sandbox.corpApp().agentid,
      WX_SANDBOX_WECOM_SECRET: sandbox.corpApp().secret,
    });
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${demo.url}/`);
      expect(await page.isVisible('#login')).toBe(false);
      expect(await page.isVisible('#login-wecom')).toBe(true);
      // A page that needs a login sends the browser to WeCom's, and back there afterwards.
      await page.goto(`${demo.url}/profile`);
      await page.waitForURL(/\/wwlogin\/sso\/login\?/);
      expect(page.url().startsWith(sandbox.url)).toBe(true);
      await page.click('a.simulate-scan[data-user=lisi]');
      await page.waitForURL(`${demo.url}/profile`);
      expect(await page.textContent('#corpid')).toBe(sandbox.corpid);
      expect(await page.textContent('#userid')).toBe('LiSi');
    } finally {
      await browser.close();
      await demo.close();
    }
    // A website app and no corp: the demo offers WeChat alone.
    const without = await startDemo({
      ...env,
      PORT: String(await freePort()),
      WX_SANDBOX_WEB_APPID: 'wx0demo0website',
      WX_SANDBOX_WEB_SECRET: sandbox.app('wx0demo0website').secret,
    });
    try {
      const home = await (await fetch(`${without.url}/`)).text();
      expect(home).toContain('id="login"');
      expect(home).not.toContain('id="login-wecom"');
    } finally {
      await without.close();
      await sandbox.close();
    }
  });
});
