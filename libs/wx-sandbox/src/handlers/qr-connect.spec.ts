import { WxSandbox } from '../wx-sandbox.js';
import { unescapeHtml as unescape } from '../wx-sandbox.spec-helper.js';

const CALLBACK = 'https://app.test/auth/wechat/callback';

describe('WxSandbox QR login', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({ appName: 'Tom & "Jerry" <Shop>' });
  });
  afterAll(() => wx.close());
  afterEach(() => wx.setAutoApprove(false));

  const open = (url: string): Promise<Response> => fetch(url, { redirect: 'manual' });
  const query = (params: Array<[string, string]>): string => new URLSearchParams(params).toString();
  const loginParams = (
    state?: string,
    extra: Array<[string, string]> = [],
  ): Array<[string, string]> => [
    ['appid', wx.appid],
    ['redirect_uri', CALLBACK],
    ['response_type', 'code'],
    ['scope', 'snsapi_login'],
    ...(state === undefined ? [] : [['state', state] as [string, string]]),
    ...extra,
  ];
  const qrconnect = (params: Array<[string, string]>, sandbox = wx): Promise<Response> =>
    open(`${sandbox.url}/connect/qrconnect?${query(params)}`);

  const simulateScanHref = (html: string): string => {
    const href =
      /<a id="simulate-scan"[^>]* href="([^"]+)"[^>]*>模拟扫码 \/ Simulate scan<\/a>/.exec(
        html,
      )?.[1];
    expect(href).toBeDefined();
    return unescape(href ?? '');
  };

  const hiddenFields = (html: string): Array<[string, string]> =>
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      ([, name, value]) => [name, unescape(value)],
    );

  const exchange = async (code: string): Promise<Record<string, unknown>> => {
    const params = query([
      ['appid', wx.appid],
      ['secret', wx.secret],
      ['code', code],
      ['grant_type', 'authorization_code'],
    ]);
    return (await (await fetch(`${wx.url}/sns/oauth2/access_token?${params}`)).json()) as Record<
      string,
      unknown
    >;
  };

  describe('qrconnect page', () => {
    it("looks like WeChat's website login, with a real QR code", async () => {
      const res = await qrconnect(loginParams('qr1'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<meta name="viewport"');
      expect(html).toContain('<h1>微信登录</h1>');
      expect(html).toContain('使用微信扫一扫登录');
      expect(html).toContain(
        'Scan with WeChat to log in to Tom &amp; &quot;Jerry&quot; &lt;Shop&gt;',
      );
      const svg = /<svg [^>]*viewBox="0 0 (\d+) \1"[^>]*>.*?<\/svg>/s.exec(html);
      expect(svg).not.toBeNull();
      // A QR code of version 1..40 (21..177 modules) plus its quiet zone, drawn as unit squares.
      expect(Number(svg?.[1])).toBeGreaterThanOrEqual(25);
      expect(svg?.[0].match(/h1v1h-1z/g)?.length).toBeGreaterThan(100);
      expect(html).not.toContain('name="user"');
    });

    it('links simulate-scan to the scan page, the parameters in WeChat order', async () => {
      const html = await (await qrconnect(loginParams('qr2', [['forcePopup', 'true']]))).text();
      const href = simulateScanHref(html);
      expect(href).toBe(`${wx.url}/connect/sandbox/scan?${query(loginParams('qr2'))}`);
      expect([...new URL(href).searchParams.keys()]).toEqual([
        'appid',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ]);
      expect(new URL(href).searchParams.get('redirect_uri')).toBe(CALLBACK);
    });

    it('sends no state on when none was sent', async () => {
      const href = simulateScanHref(await (await qrconnect(loginParams())).text());
      expect(new URL(href).searchParams.has('state')).toBe(false);
    });

    it('encodes a different QR code per authorisation', async () => {
      const qr = async (state: string): Promise<string | undefined> =>
        /<svg .*?<\/svg>/s.exec(await (await qrconnect(loginParams(state))).text())?.[0];
      expect(await qr('a1')).not.toBe(await qr('b2'));
      expect(await qr('a1')).toBe(await qr('a1'));
    });

    it('points the scan URL at publicUrl', async () => {
      const mapped = await WxSandbox.start({ publicUrl: 'http://192.168.1.20:3001' });
      try {
        const params: Array<[string, string]> = [
          ['appid', mapped.appid],
          ...loginParams('m1').slice(1),
        ];
        const href = simulateScanHref(await (await qrconnect(params, mapped)).text());
        expect(href).toBe(`http://192.168.1.20:3001/connect/sandbox/scan?${query(params)}`);
      } finally {
        await mapped.close();
      }
    });

    it('still redirects at once with autoApprove', async () => {
      wx.setAutoApprove('alice');
      const res = await qrconnect(loginParams('qr3'));
      expect(res.status).toBe(302);
    });
  });

  describe('scan page', () => {
    const scanPage = async (state?: string): Promise<string> => {
      const href = simulateScanHref(await (await qrconnect(loginParams(state))).text());
      const res = await open(href);
      expect(res.status).toBe(200);
      return res.text();
    };
    const decide = (html: string, user: string, decision: 'approve' | 'deny'): Promise<Response> =>
      open(
        `${wx.url}/connect/sandbox/decide?${query([...hiddenFields(html), ['user', user], ['decision', decision]])}`,
      );

    it('asks for consent as the phone would, listing the users', async () => {
      const html = await scanPage('s1');
      expect(html).toContain('<title>微信登录 - Tom &amp; &quot;Jerry&quot; &lt;Shop&gt;</title>');
      expect(html).toMatch(/<main id="consent" data-scope="snsapi_login">/);
      expect(html).toContain('获得你的昵称、头像');
      for (const user of wx.users) expect(html).toContain(`value="${user.key}"`);
      expect(html).toMatch(/<input type="radio" name="user" value="alice"[^>]* checked>/);
      expect(html).toMatch(/<button id="approve"[^>]*>允许<\/button>/);
      expect(html).toMatch(/<button id="deny"[^>]*>拒绝<\/button>/);
      expect(hiddenFields(html)).toEqual(loginParams('s1'));
    });

    it('approve redirects with a snsapi_login code for the chosen user', async () => {
      const res = await decide(await scanPage('s2'), 'bob', 'approve');
      expect(res.status).toBe(302);
      const url = new URL(res.headers.get('location') ?? 'missing:');
      expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
      expect(url.searchParams.get('state')).toBe('s2');
      const token = await exchange(url.searchParams.get('code') ?? '');
      expect(token).toMatchObject({ openid: wx.users[1].openid, scope: 'snsapi_login' });
    });

    it('deny redirects with the state only', async () => {
      const res = await decide(await scanPage('s3'), 'alice', 'deny');
      expect(res.headers.get('location')).toBe(`${CALLBACK}?state=s3`);
    });

    it('validates its parameters as qrconnect does', async () => {
      const scan = (params: Array<[string, string]>): Promise<Response> =>
        open(`${wx.url}/connect/sandbox/scan?${query(params)}`);
      const wrongScope = await scan([...loginParams().slice(0, 3), ['scope', 'snsapi_userinfo']]);
      expect(wrongScope.status).toBe(400);
      expect(await wrongScope.text()).toMatch(
        /<main id="wx-error" class="error-page" data-errcode="10005">/,
      );
      const outOfOrder = loginParams();
      [outOfOrder[1], outOfOrder[3]] = [outOfOrder[3], outOfOrder[1]];
      expect((await scan(outOfOrder)).status).toBe(400);
      expect((await scan([['appid', 'wxsomeoneelse'], ...loginParams().slice(1)])).status).toBe(
        400,
      );
    });

    it('counts as scan', async () => {
      wx.resetStats();
      await scanPage();
      expect(wx.stats.requests).toMatchObject({ qrconnect: 1, scan: 1, authorize: 0 });
    });
  });
});
