import { runInNewContext } from 'node:vm';
import { WxSandbox } from '../wx-sandbox.js';
import { unescapeHtml as unescape } from '../wx-sandbox.spec-helper.js';

type Body = Record<string, unknown>;

const CALLBACK = 'https://app.test/auth/wechat/callback?next=%2Fhome';
const MP = 'wx0official0account';
const WEB = 'wx0website0app';

/**
 * Runs the served wxLogin.js as a page would, against the least DOM it touches, and
 * returns the iframe it puts into the container.
 */
function embed(
  script: string,
  options: Record<string, unknown>,
): { src: string; width: string; height: string; replaced: boolean } {
  const frame: Record<string, string> = {};
  const container = {
    innerHTML: '<p>old</p>',
    child: undefined as unknown,
    appendChild(node: unknown) {
      this.child = node;
    },
  };
  const document = {
    createElement: (tag: string) => (tag === 'iframe' ? frame : {}),
    getElementById: (id: string) => (id === options.id ? container : null),
  };
  const window: Record<string, unknown> = {};
  runInNewContext(`${script}\n;new window.WxLogin(options);`, { window, document, options });
  expect(container.child).toBe(frame);
  return {
    src: frame.src,
    width: frame.width,
    height: frame.height,
    replaced: container.innerHTML === '',
  };
}

describe('WxSandbox wxLogin.js', () => {
  let wx: WxSandbox;
  let script: string;

  beforeAll(async () => {
    wx = await WxSandbox.start({
      apps: [
        { appid: MP, kind: 'officialAccount', openPlatform: 'acme' },
        { appid: WEB, kind: 'website', openPlatform: 'acme', name: 'Acme <Web>' },
      ],
    });
    script = await (await fetch(wx.wxLoginJsUrl)).text();
  });
  afterAll(() => wx.close());
  afterEach(() => wx.setAutoApprove(false));

  const settings = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 'login_container',
    appid: WEB,
    scope: 'snsapi_login',
    // As WeChat asks: the caller encodes redirect_uri.
    redirect_uri: encodeURIComponent(CALLBACK),
    state: 'emb3d',
    ...extra,
  });
  const frameOf = (extra?: Record<string, unknown>): Promise<Response> =>
    fetch(embed(script, settings(extra)).src, { redirect: 'manual' });
  const exchange = async (code: string, appid = WEB): Promise<Body> => {
    const query = new URLSearchParams({
      appid,
      secret: wx.app(appid).secret,
      code,
      grant_type: 'authorization_code',
    });
    return (await (await fetch(`${wx.url}/sns/oauth2/access_token?${query}`)).json()) as Body;
  };

  /** What the frame's "simulate scan" form submits for `user`, and where it sends the browser. */
  const simulateScan = (html: string, user: string): { url: URL; target: string } => {
    const form =
      /<form class="simulate" method="get" action="([^"]+)" target="([^"]+)">(.*?)<\/form>/s.exec(
        html,
      );
    expect(form).not.toBeNull();
    const [, action, target, fields] = form ?? ['', '', '', ''];
    const url = new URL(unescape(action), wx.url);
    for (const [, name, value] of fields.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    ))
      url.searchParams.append(name, unescape(value));
    expect(fields).toContain(`<option value="${user}">`);
    url.searchParams.append('user', user);
    return { url, target };
  };

  describe('the script', () => {
    it('is served where WeChat serves it, and at /connect/wxLogin.js, as JavaScript', async () => {
      expect(wx.wxLoginJsUrl).toBe(`${wx.url}/connect/zh_CN/htmledition/js/wxLogin.js`);
      for (const url of [wx.wxLoginJsUrl, `${wx.url}/connect/wxLogin.js`]) {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
        expect(await res.text()).toBe(script);
      }
      expect(script).toContain('window.WxLogin = function (options)');
    });

    it("puts a 300×400 iframe of the sandbox's qrconnect into the container, its query built as WeChat's script builds it", () => {
      const frame = embed(
        script,
        settings({
          self_redirect: true,
          style: 'white',
          href: 'https://app.test/qr.css',
          stylelite: 1,
          fast_login: 0,
        }),
      );
      expect(frame).toMatchObject({ width: '300px', height: '400px', replaced: true });
      expect(frame.src).toBe(
        `${wx.url}/connect/qrconnect?appid=${WEB}&scope=snsapi_login&redirect_uri=${encodeURIComponent(CALLBACK)}&state=emb3d` +
          '&login_type=jssdk&self_redirect=true&styletype=&sizetype=&bgcolor=&rst=&style=white&href=https://app.test/qr.css&stylelite=1&fast_login=0',
      );
      expect(embed(script, settings()).src).toContain('&login_type=jssdk&self_redirect=default&');
      expect(embed(script, settings({ self_redirect: false })).src).toContain(
        '&self_redirect=false&',
      );
    });

    it('points the iframe at publicUrl when the sandbox has one', async () => {
      const behindProxy = await WxSandbox.start({ publicUrl: 'http://wx.localhost:8080/' });
      try {
        expect(behindProxy.wxLoginJsUrl).toBe(
          'http://wx.localhost:8080/connect/zh_CN/htmledition/js/wxLogin.js',
        );
        const served = await (await fetch(`${behindProxy.url}/connect/wxLogin.js`)).text();
        expect(embed(served, settings({ appid: behindProxy.appid })).src).toMatch(
          /^http:\/\/wx\.localhost:8080\/connect\/qrconnect\?appid=/,
        );
      } finally {
        await behindProxy.close();
      }
    });

    it('counts as wx_login_js, its iframe as qrconnect', async () => {
      wx.resetStats();
      await fetch(wx.wxLoginJsUrl);
      await frameOf();
      expect(wx.stats.requests).toMatchObject({ wx_login_js: 1, qrconnect: 1, scan: 0 });
    });
  });

  describe('the iframe page', () => {
    it("shows a compact QR code of the scan page, the app's name and a simulate-scan form with the test users", async () => {
      const res = await frameOf();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain(
        '<div class="impowerBox" id="wx-login-frame" data-self-redirect="false">',
      );
      expect(html).toContain('使用微信扫一扫登录<br>“Acme &lt;Web&gt;”');
      expect(html).toMatch(
        /<div class="qrcode lightBorder"><svg [^>]*aria-label="登录二维码 \/ Login QR code"/,
      );
      expect(html).toContain(
        '<button id="simulate-scan" type="submit">模拟扫码 / Simulate scan</button>',
      );
      for (const user of ['alice', 'bob', 'carol', 'snap'])
        expect(html).toContain(`<option value="${user}">`);
      expect(html).toContain('<option value="bob">小明 🐼 (bob)</option>');
    });

    it('approves in the top window by default: the form targets _top and lands on redirect_uri?code=…&state=…', async () => {
      const { url, target } = simulateScan(await (await frameOf()).text(), 'bob');
      expect(target).toBe('_top');
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const callback = new URL(res.headers.get('location') ?? 'missing:');
      expect(`${callback.origin}${callback.pathname}`).toBe(
        'https://app.test/auth/wechat/callback',
      );
      expect([...callback.searchParams.keys()]).toEqual(['next', 'code', 'state']);
      expect(callback.searchParams.get('state')).toBe('emb3d');
      const token = await exchange(callback.searchParams.get('code') ?? '');
      expect(token).toMatchObject({
        openid: wx.openidOf('bob', WEB),
        scope: 'snsapi_login',
        unionid: wx.unionidOf('bob', MP),
      });
    });

    it('approves inside the iframe with self_redirect: true', async () => {
      const html = await (await frameOf({ self_redirect: true })).text();
      expect(html).toContain('data-self-redirect="true"');
      const { url, target } = simulateScan(html, 'alice');
      expect(target).toBe('_self');
      const res = await fetch(url, { redirect: 'manual' });
      const callback = new URL(res.headers.get('location') ?? 'missing:');
      expect(callback.searchParams.get('state')).toBe('emb3d');
      expect(await exchange(callback.searchParams.get('code') ?? '')).toMatchObject({
        openid: wx.openidOf('alice', WEB),
      });
    });

    it('with autoApprove, redirects the iframe when self_redirect is true, and sends the top window otherwise', async () => {
      wx.setAutoApprove('carol');
      const inFrame = await frameOf({ self_redirect: true });
      expect(inFrame.status).toBe(302);
      const code =
        new URL(inFrame.headers.get('location') ?? 'missing:').searchParams.get('code') ?? '';
      expect(await exchange(code)).toMatchObject({ openid: wx.openidOf('carol', WEB) });

      const top = await frameOf();
      expect(top.status).toBe(200);
      const html = await top.text();
      const callback = unescape(
        /<a id="continue" class="btn" href="([^"]+)" target="_top">/.exec(html)?.[1] ?? '',
      );
      expect(callback).toMatch(
        /^https:\/\/app\.test\/auth\/wechat\/callback\?next=%2Fhome&code=[A-Za-z0-9]+&state=emb3d$/,
      );
      expect(html).toContain(`window.top.location.href = ${JSON.stringify(callback)};`);
      expect(await exchange(new URL(callback).searchParams.get('code') ?? '')).toMatchObject({
        openid: wx.openidOf('carol', WEB),
      });
    });

    it("applies style, and the site's stylesheet unless stylelite asks for the new look", async () => {
      const css = 'data:text/css;base64,LmltcG93ZXJCb3ggLnRpdGxlIHtkaXNwbGF5OiBub25lO30+';
      const styled = await (await frameOf({ style: 'white', href: css })).text();
      expect(styled).toContain('<body class="style-white">');
      // The unencoded href's `+` reads as a space in a query; the sandbox puts it back, as WeChat does.
      expect(styled).toContain(`<link rel="stylesheet" href="${css}">`);
      const lite = await (await frameOf({ href: css, stylelite: 1 })).text();
      expect(lite).toContain('<body class="style-black">');
      expect(lite).toContain('<div class="impowerBox lite"');
      expect(lite).not.toContain('<link rel="stylesheet"');
      expect(await (await frameOf({ href: 'javascript:alert(1)' })).text()).not.toContain(
        '<link rel="stylesheet"',
      );
    });
  });

  describe('refuses what WeChat refuses, with its error page inside the iframe', () => {
    const expectErrorPage = async (
      res: Response,
      errcode: number,
      message: string,
    ): Promise<void> => {
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain(`<main id="wx-error" class="error-page" data-errcode="${errcode}">`);
      expect(html).toContain(`<h1>${message}</h1>`);
    };

    it("an official account's appid, even with autoApprove", async () => {
      wx.setAutoApprove('alice');
      await expectErrorPage(await frameOf({ appid: MP }), 10005, 'Scope 参数错误或没有 Scope 权限');
    });

    it('another scope, an unknown appid, no redirect_uri', async () => {
      await expectErrorPage(
        await frameOf({ scope: 'snsapi_userinfo' }),
        10005,
        '此公众号并没有这些scope的权限',
      );
      await expectErrorPage(await frameOf({ appid: 'wx0nobody' }), 10016, 'appid 无效');
      await expectErrorPage(
        await frameOf({ redirect_uri: '' }),
        10011,
        'redirect_uri 参数不能为空',
      );
    });
  });
});
