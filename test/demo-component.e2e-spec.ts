/**
 * The demo as a small SaaS on the sandbox's third-party platform (DEMO_SAAS), in Chromium:
 * merchants connect their official accounts on the platform's authorisation page, and their
 * customers log in at each merchant's own address, on its behalf. Screenshots land in
 * test/artifacts/.
 */
import { jest } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { DemoApp } from '../apps/demo/src/demo.app.js';
import { DEMO_SANDBOX_MERCHANTS } from '../apps/demo/src/config/demo-sandbox.js';
import { DemoMerchantEntity } from '../apps/demo/src/database/demo-merchant.entity.js';
import { encryptedPush } from '../libs/wx-oauth/src/push/wx-push.spec-helper.js';
import { CaptureLogger } from './support/capture-logger.js';
import { launchChromium, openPage } from './support/chromium.js';
import { startDemoForBrowser } from './support/demo.js';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003233) NetType/WIFI Language/zh_CN';

jest.setTimeout(30_000);

const [TEA_HOUSE, BOOK_CORNER] = DEMO_SANDBOX_MERCHANTS;

describe('the demo as a SaaS on the third-party platform, in Chromium', () => {
  let demo: DemoApp;
  let browser: Browser;
  /** The SaaS's admin, on a computer. */
  let adminPage: Page;
  /** A customer, inside WeChat on a phone. */
  let phonePage: Page;
  let refused: string[][];
  const logger = new CaptureLogger();
  /** The merchants' ids, as the admin list links them. */
  const merchantIds = new Map<string, string>();

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    demo = await startDemoForBrowser(logger, { DEMO_SAAS: 'true' });
    browser = await launchChromium();
    const desktop = await openPage(browser, { viewport: { width: 1100, height: 800 } });
    const mobile = await openPage(browser, {
      userAgent: WECHAT_UA,
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    ({ page: adminPage } = desktop);
    ({ page: phonePage } = mobile);
    refused = [desktop.refused, mobile.refused];
  });

  afterAll(async () => {
    const rows = await merchantRows();
    await browser?.close();
    await demo?.close();
    // No secret of a merchant's anywhere: the demo never had one, and logs no refresh token.
    for (const line of logger.lines) {
      for (const { appid } of DEMO_SANDBOX_MERCHANTS)
        expect(line).not.toContain(demo.sandbox!.app(appid).secret);
      for (const { authorizerRefreshToken } of rows)
        expect(line).not.toContain(authorizerRefreshToken);
    }
    // Every page worked under the demo's Content-Security-Policy.
    expect(refused.flat()).toEqual([]);
    const platform = demo.sandbox!.component;
    for (const line of logger.lines) {
      expect(line).not.toContain(platform.secret);
      expect(line).not.toContain(platform.encodingAesKey);
    }
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
  const card = (appid: string) => adminPage.locator(`.merchant[data-appid="${appid}"]`);
  const openidAt = (userKey: string, appid: string) => demo.sandbox!.openidOf(userKey, appid);
  const merchantRows = () => demo.app.get(DataSource).getRepository(DemoMerchantEntity).find();

  /** The admin connects `appid` on the platform's authorisation page: pick the account, confirm. */
  async function connect(appid: string): Promise<string> {
    await adminPage.goto(`${demo.url}/`);
    await adminPage.click('#saas-admin');
    await adminPage.waitForURL(`${demo.url}/admin/merchants`);
    await adminPage.click('#connect');
    await adminPage.waitForURL(`${demo.url}/admin/merchants/connect`);
    await adminPage.click('#authorize-pc');
    await adminPage.waitForURL(/\/cgi-bin\/componentloginpage\?/);
    await shot(adminPage, 'component-authorisation');
    await adminPage.check(`#account-${appid}`);
    await adminPage.click('#confirm');
    await adminPage.waitForURL(/\/admin\/merchants\?connected=/);
    const id = await card(appid).getAttribute('data-id');
    merchantIds.set(appid, id!);
    return id!;
  }

  /** A customer logs in at the merchant's address inside WeChat, as `userKey`, and lands on their profile there. */
  async function logIn(merchantId: string, userKey: string): Promise<void> {
    await phonePage.goto(`${demo.url}/m/${merchantId}`);
    await phonePage.click('#merchant-login');
    await phonePage.waitForURL(/\/connect\/oauth2\/authorize\?.*component_appid=/);
    await phonePage.check(`input[name=user][value=${userKey}]`);
    await phonePage.click('#approve');
    await phonePage.waitForURL(`${demo.url}/m/${merchantId}/profile`);
  }

  it('connects a merchant through the authorisation page, then lists it as connected', async () => {
    await connect(TEA_HOUSE.appid);
    expect(await adminPage.textContent('#connected')).toContain(
      `${TEA_HOUSE.name} (${TEA_HOUSE.appid}) is connected.`,
    );
    expect(await card(TEA_HOUSE.appid).locator('.name').textContent()).toBe(TEA_HOUSE.name);
    expect(await card(TEA_HOUSE.appid).locator('[data-status]').getAttribute('data-status')).toBe(
      'connected',
    );
    expect(await card(TEA_HOUSE.appid).locator('a.address').getAttribute('href')).toBe(
      `/m/${merchantIds.get(TEA_HOUSE.appid)}`,
    );
    // WeChat's side agrees: the account is authorised to the platform.
    expect(demo.sandbox!.componentAuthorizationOf(TEA_HOUSE.appid)).toBeDefined();
    // The demo keeps the merchant's refresh token, and never shows it.
    const [row] = await merchantRows();
    expect(row).toMatchObject({
      appid: TEA_HOUSE.appid,
      status: 'connected',
      permissions: '1,2,3,4',
    });
    expect(row.authorizerRefreshToken).toBeTruthy();
    expect(await adminPage.content()).not.toContain(row.authorizerRefreshToken);
    await shot(adminPage, 'merchants-connected');
  });

  it("logs a merchant's customer in at the merchant's address, on its behalf, and shows the merchant on the profile", async () => {
    const id = merchantIds.get(TEA_HOUSE.appid)!;
    await phonePage.goto(`${demo.url}/m/${id}`);
    expect(await phonePage.textContent('h1#merchant-name')).toBe(TEA_HOUSE.name);
    await logIn(id, 'bob');
    expect(await phonePage.textContent('#merchant-name')).toBe(TEA_HOUSE.name);
    expect(await phonePage.textContent('#merchant-appid')).toBe(TEA_HOUSE.appid);
    expect(await phonePage.textContent('#appid')).toBe(TEA_HOUSE.appid);
    expect(await phonePage.textContent('#openid')).toBe(openidAt('bob', TEA_HOUSE.appid));
    expect(await phonePage.textContent('#nickname')).toBe(
      demo.sandbox!.users.find((u) => u.key === 'bob')!.nickname,
    );
    await shot(phonePage, 'merchant-profile');
  });

  it('serves two merchants side by side, each customer session its own merchant only', async () => {
    const teaHouse = merchantIds.get(TEA_HOUSE.appid)!;
    const bookCorner = await connect(BOOK_CORNER.appid);
    expect(bookCorner).not.toBe(teaHouse);
    expect(await adminPage.locator('.merchant').count()).toBe(2);

    // Logged in at the tea house, the phone is no customer of the book corner: it logs in there first.
    await phonePage.goto(`${demo.url}/m/${bookCorner}/profile`);
    expect(phonePage.url()).toBe(
      `${demo.url}/m/${bookCorner}?returnTo=${encodeURIComponent(`/m/${bookCorner}/profile`)}`,
    );
    expect(await phonePage.textContent('h1#merchant-name')).toBe(BOOK_CORNER.name);
    expect(await phonePage.isVisible('#merchant-login')).toBe(true);

    await logIn(bookCorner, 'bob');
    expect(await phonePage.textContent('#merchant-name')).toBe(BOOK_CORNER.name);
    expect(await phonePage.textContent('#appid')).toBe(BOOK_CORNER.appid);
    // The same person is another openid at each merchant's account.
    const openid = await phonePage.textContent('#openid');
    expect(openid).toBe(openidAt('bob', BOOK_CORNER.appid));
    expect(openid).not.toBe(openidAt('bob', TEA_HOUSE.appid));

    // And the book corner's session does not open the tea house's profile.
    await phonePage.goto(`${demo.url}/m/${teaHouse}/profile`);
    expect(phonePage.url()).toBe(
      `${demo.url}/m/${teaHouse}?returnTo=${encodeURIComponent(`/m/${teaHouse}/profile`)}`,
    );
    expect(await phonePage.textContent('h1#merchant-name')).toBe(TEA_HOUSE.name);
  });

  it("shows a revoked merchant as revoked and refuses its customers' login with a readable page", async () => {
    const teaHouse = merchantIds.get(TEA_HOUSE.appid)!;
    const bookCorner = merchantIds.get(BOOK_CORNER.appid)!;
    const event = await demo.sandbox!.revokeComponent(TEA_HOUSE.appid);
    expect(event.answered).toBe(true);

    await adminPage.goto(`${demo.url}/admin/merchants`);
    expect(await card(TEA_HOUSE.appid).locator('[data-status]').getAttribute('data-status')).toBe(
      'revoked',
    );
    expect(await card(BOOK_CORNER.appid).locator('[data-status]').getAttribute('data-status')).toBe(
      'connected',
    );
    await shot(adminPage, 'merchants-revoked');

    await phonePage.goto(`${demo.url}/m/${teaHouse}`);
    expect(await phonePage.textContent('#revoked')).toContain('revoked its authorisation');
    expect(await phonePage.isVisible('#merchant-login')).toBe(false);

    // The login itself is refused before the browser leaves for WeChat.
    const refusal = await phonePage.goto(`${demo.url}/m/${teaHouse}/auth/wechat`);
    expect(refusal?.status()).toBe(403);
    expect(phonePage.url()).toBe(`${demo.url}/m/${teaHouse}/auth/wechat`);
    expect(await phonePage.textContent('#error-title')).toBe('This shop no longer logs in here');
    expect(await phonePage.textContent('#error-reason')).toContain('revoked its authorisation');
    expect(await phonePage.textContent('body')).not.toMatch(/at \w+ \(|node_modules|Error:/);
    await shot(phonePage, 'merchant-revoked');

    // The other merchant's customers still log in.
    await phonePage.goto(`${demo.url}/logout`);
    await logIn(bookCorner, 'alice');
    expect(await phonePage.textContent('#openid')).toBe(openidAt('alice', BOOK_CORNER.appid));
  });

  it('refuses a forged push to its event URL (401), answering it as its error pages with no warning logged', async () => {
    const { appid, encodingAesKey } = demo.sandbox!.component;
    const forged = encryptedPush(
      'notThePlatformsToken',
      encodingAesKey,
      appid,
      { AppId: appid, CreateTime: Math.floor(Date.now() / 1000), InfoType: 'unauthorized' },
      { now: () => Date.now(), sleep: async () => undefined },
    );
    const response = await fetch(
      `${demo.url}/wechat/component/events?${new URLSearchParams(forged.query)}`,
      { method: 'POST', headers: { 'content-type': 'text/xml' }, body: forged.body },
    );
    expect(response.status).toBe(401);
    expect(logger.lines.join('\n')).not.toContain("Content-Type doesn't match Reply body");
  });
});
