/**
 * wxLogin.js in a real browser: Debian's Chromium through playwright-core, a site of
 * its own on another origin than the sandbox, as a real site and WeChat would be.
 */
import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WxSandbox } from '../wx-sandbox.js';

jest.setTimeout(30_000);

const WEB = 'wx0website0app';

describe('wxLogin.js in Chromium', () => {
  let wx: WxSandbox;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    wx = await WxSandbox.start({
      apps: [{ appid: WEB, kind: 'website', openPlatform: 'acme', name: 'Acme Web' }],
    });
    // The site: a login page embedding the QR code, and a callback that shows what it got.
    site = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://site.invalid');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (url.pathname === '/callback') {
        res.end(
          `<p id="got">${url.searchParams.get('code') ? 'code' : 'none'} ${url.searchParams.get('state')}</p>`,
        );
        return;
      }
      const settings = {
        self_redirect: url.searchParams.get('self') === 'true',
        id: 'login_container',
        appid: WEB,
        scope: 'snsapi_login',
        redirect_uri: encodeURIComponent(`${siteUrl}/callback`),
        state: 'browser1',
      };
      res.end(`<!DOCTYPE html><h1 id="site">Site login</h1><div id="login_container"></div>
<script src="${wx.wxLoginJsUrl}"></script><script>new WxLogin(${JSON.stringify(settings)});</script>`);
    });
    // localhost, not 127.0.0.1: the site and the sandbox are different origins, as on the web.
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // Without these Chromium keeps calling home, which this network refuses.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(() => page.close());

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await wx?.close();
  });

  /** The login page, the QR iframe in it, and "simulate scan" as bob. */
  async function scanInFrame(self: boolean): Promise<void> {
    await page.goto(`${siteUrl}/?self=${self}`);
    const frame = page.frameLocator('#login_container iframe');
    await frame.locator('svg[aria-label="登录二维码 / Login QR code"]').waitFor();
    await frame.locator('#sandbox-user').selectOption('bob');
    await frame.locator('#simulate-scan').click();
  }

  it('sends the top window to the callback by default', async () => {
    await scanInFrame(false);
    await page.waitForURL(`${siteUrl}/callback?code=*`);
    const callback = new URL(page.url());
    expect(callback.searchParams.get('state')).toBe('browser1');
    expect(await page.locator('#got').textContent()).toBe('code browser1');
    const query = new URLSearchParams({
      appid: WEB,
      secret: wx.secret,
      code: callback.searchParams.get('code') ?? '',
      grant_type: 'authorization_code',
    });
    const token = (await (
      await fetch(`${wx.url}/sns/oauth2/access_token?${query}`)
    ).json()) as Record<string, unknown>;
    expect(token).toMatchObject({
      openid: wx.openidOf('bob', WEB),
      unionid: wx.unionidOf('bob', WEB),
    });
  });

  it('keeps the site page and lands in the iframe with self_redirect: true', async () => {
    await scanInFrame(true);
    const frame = page.frameLocator('#login_container iframe');
    expect(await frame.locator('#got').textContent()).toBe('code browser1');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('#site').textContent()).toBe('Site login');
  });

  it('with autoApprove, moves the top window from the iframe without a click', async () => {
    wx.setAutoApprove('alice');
    try {
      await page.goto(`${siteUrl}/?self=false`);
      await page.waitForURL(`${siteUrl}/callback?code=*`);
      expect(await page.locator('#got').textContent()).toBe('code browser1');
    } finally {
      wx.setAutoApprove(false);
    }
  });
});
