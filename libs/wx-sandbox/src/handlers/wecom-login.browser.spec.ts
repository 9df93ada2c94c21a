/**
 * WeCom's pages in a real browser: Debian's Chromium through playwright-core, a site of its
 * own on another origin than the sandbox, framing the web login page as
 * `ww.createWWLoginPanel` does, and the in-client consent page.
 */
import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WxSandbox } from '../wx-sandbox.js';

jest.setTimeout(30_000);

describe('WeCom pages in Chromium', () => {
  let wx: WxSandbox;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    wx = await WxSandbox.start();
    // The site: a login page framing WeCom's, and a callback that shows what it got.
    site = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://site.invalid');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (url.pathname === '/callback') {
        res.end(
          `<p id="got">${url.searchParams.get('code') ? 'code' : 'none'} ${url.searchParams.get('state')}</p>`,
        );
        return;
      }
      const login = new URLSearchParams({
        login_type: 'CorpApp',
        appid: wx.corpid,
        agentid: wx.corpApp().agentid,
        redirect_uri: `${siteUrl}/callback`,
        state: 'panel1',
      });
      res.end(`<!DOCTYPE html><h1 id="site">Site login</h1>
<iframe id="panel" width="480" height="720" src="${wx.url}/wwlogin/sso/login?${login}"></iframe>`);
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

  const userinfo = async (code: string): Promise<Record<string, unknown>> => {
    const token = (await (
      await fetch(
        `${wx.url}/cgi-bin/gettoken?${new URLSearchParams({ corpid: wx.corpid, corpsecret: wx.corpApp().secret })}`,
      )
    ).json()) as Record<string, unknown>;
    const query = new URLSearchParams({ access_token: String(token.access_token), code });
    return (await (await fetch(`${wx.url}/cgi-bin/auth/getuserinfo?${query}`)).json()) as Record<
      string,
      unknown
    >;
  };

  it('sends the top window to the callback when a member scans in the framed login page', async () => {
    await page.goto(siteUrl);
    const frame = page.frameLocator('#panel');
    await frame.locator('svg[aria-label="企业微信登录二维码 / WeCom login QR code"]').waitFor();
    await frame.locator('a.simulate-scan[data-user="lisi"]').click();
    await page.waitForURL(`${siteUrl}/callback?code=*`);
    expect(await page.locator('#got').textContent()).toBe('code panel1');
    const code = new URL(page.url()).searchParams.get('code') ?? '';
    expect(await userinfo(code)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'LiSi' });
  });

  it('asks consent inside the client, and a member who agrees comes back with a ticket', async () => {
    const authorize = new URLSearchParams([
      ['appid', wx.corpid],
      ['redirect_uri', `${siteUrl}/callback`],
      ['response_type', 'code'],
      ['scope', 'snsapi_privateinfo'],
      ['state', 'inapp1'],
      ['agentid', wx.corpApp().agentid],
    ]);
    await page.goto(`${wx.url}/connect/oauth2/authorize?${authorize}#wechat_redirect`);
    expect(await page.locator('#scope-text').textContent()).toContain('手机');
    await page.locator('label', { has: page.locator('[data-user="zhangsan"]') }).click();
    await page.locator('#agree').click();
    await page.waitForURL(`${siteUrl}/callback?code=*`);
    expect(await page.locator('#got').textContent()).toBe('code inapp1');
    const code = new URL(page.url()).searchParams.get('code') ?? '';
    expect(await userinfo(code)).toMatchObject({
      userid: 'ZhangSan',
      user_ticket: expect.any(String),
    });
  });
});
