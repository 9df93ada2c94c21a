import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';
import { unescapeHtml as unescape } from './wx-sandbox.spec-helper.js';

type Body = Record<string, unknown>;

const CALLBACK = 'https://app.test/auth/wechat/callback';
const MP = 'wx0official0account';
const WEB = 'wx0website0app';
const LONE = 'wx0unbound0account';
const OTHER_WEB = 'wx0other0platform0site';

const APPS: WxSandboxApp[] = [
  {
    appid: MP,
    secret: 'mp-secret-0123456789abcdef',
    kind: 'officialAccount',
    openPlatform: 'acme',
    name: 'Acme 服务号',
  },
  {
    appid: WEB,
    secret: 'web-secret-0123456789abcdef',
    kind: 'website',
    openPlatform: 'acme',
    name: 'Acme Website',
  },
  { appid: LONE, kind: 'officialAccount' },
  { appid: OTHER_WEB, kind: 'website', openPlatform: 'someone-else' },
];

describe('WxSandbox apps', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({ apps: APPS });
  });
  afterAll(() => wx.close());
  afterEach(() => wx.setAutoApprove(false));

  const secretOf = (appid: string): string => wx.app(appid).secret;
  const open = (path: string, params: Array<[string, string]>): Promise<Response> =>
    fetch(`${wx.url}${path}?${new URLSearchParams(params)}`, { redirect: 'manual' });
  const linkParams = (appid: string, scope: string, state = 'st8'): Array<[string, string]> => [
    ['appid', appid],
    ['redirect_uri', CALLBACK],
    ['response_type', 'code'],
    ['scope', scope],
    ['state', state],
  ];
  const sns = async (path: string, params: Record<string, string>): Promise<Body> => {
    const res = await fetch(`${wx.url}${path}?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Body;
  };
  const exchange = (code: string, appid: string, secret = secretOf(appid)): Promise<Body> =>
    sns('/sns/oauth2/access_token', { appid, secret, code, grant_type: 'authorization_code' });
  const userinfo = (token: Body): Promise<Body> =>
    sns('/sns/userinfo', {
      access_token: String(token.access_token),
      openid: String(token.openid),
    });
  const codeFrom = (res: Response): string => {
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location') ?? 'missing:');
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    return url.searchParams.get('code') ?? '';
  };

  describe('the model', () => {
    it('lists the apps with their kinds and the scopes each kind has; the first is appid/secret', () => {
      expect(
        wx.apps.map(({ appid, kind, openPlatform, scopes }) => ({
          appid,
          kind,
          openPlatform,
          scopes,
        })),
      ).toEqual([
        {
          appid: MP,
          kind: 'officialAccount',
          openPlatform: 'acme',
          scopes: ['snsapi_base', 'snsapi_userinfo'],
        },
        { appid: WEB, kind: 'website', openPlatform: 'acme', scopes: ['snsapi_login'] },
        {
          appid: LONE,
          kind: 'officialAccount',
          openPlatform: undefined,
          scopes: ['snsapi_base', 'snsapi_userinfo'],
        },
        {
          appid: OTHER_WEB,
          kind: 'website',
          openPlatform: 'someone-else',
          scopes: ['snsapi_login'],
        },
      ]);
      expect(wx.appid).toBe(MP);
      expect(wx.secret).toBe('mp-secret-0123456789abcdef');
      expect(wx.app(LONE).secret).toMatch(/^[0-9a-f]{32}$/);
      expect(wx.app(LONE).name).toBe('Sandbox App');
      expect(() => wx.app('wx0nobody')).toThrow("WxSandbox: no app with appid 'wx0nobody'");
    });

    it('gives a person an openid per app, one unionid per Open Platform account, none from an unbound app', () => {
      const openids = APPS.map(({ appid }) => wx.openidOf('alice', appid));
      expect(new Set(openids).size).toBe(APPS.length);
      for (const openid of openids) expect(openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      expect(wx.users.find((user) => user.key === 'alice')?.openid).toBe(wx.openidOf('alice', MP));
      expect(wx.openidOf('alice')).toBe(wx.openidOf('alice', MP));

      expect(wx.unionidOf('alice', MP)).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      expect(wx.unionidOf('alice', WEB)).toBe(wx.unionidOf('alice', MP));
      expect(wx.unionidOf('bob', WEB)).not.toBe(wx.unionidOf('alice', WEB));
      expect(wx.unionidOf('alice', OTHER_WEB)).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      expect(wx.unionidOf('alice', OTHER_WEB)).not.toBe(wx.unionidOf('alice', MP));
      expect(wx.unionidOf('alice', LONE)).toBeUndefined();
      expect(() => wx.openidOf('nobody', WEB)).toThrow("no user with key 'nobody'");
      expect(() => wx.unionidOf('alice', 'wx0nobody')).toThrow("no app with appid 'wx0nobody'");
    });

    it('keeps the ids stable for the same apps and users', async () => {
      const again = await WxSandbox.start({ apps: APPS });
      try {
        for (const { appid } of APPS) {
          expect(again.openidOf('bob', appid)).toBe(wx.openidOf('bob', appid));
          expect(again.unionidOf('bob', appid)).toBe(wx.unionidOf('bob', appid));
        }
      } finally {
        await again.close();
      }
    });

    it("uses a seed's own ids in the first app, and its unionid across that app's Open Platform account", async () => {
      const seeded = await WxSandbox.start({
        apps: APPS,
        users: [{ key: 'dave', nickname: 'D', openid: 'oDave', unionid: 'uDave' }],
      });
      try {
        expect(seeded.openidOf('dave', MP)).toBe('oDave');
        expect(seeded.openidOf('dave', WEB)).not.toBe('oDave');
        expect(seeded.unionidOf('dave', WEB)).toBe('uDave');
        expect(seeded.unionidOf('dave', OTHER_WEB)).not.toBe('uDave');
      } finally {
        await seeded.close();
      }
    });
  });

  describe('one person across two apps, over HTTP', () => {
    it('logs in through the official account and the website app: two openids, one unionid', async () => {
      wx.setAutoApprove('alice');
      const mpToken = await exchange(
        codeFrom(await open('/connect/oauth2/authorize', linkParams(MP, 'snsapi_userinfo'))),
        MP,
      );
      expect(mpToken).toMatchObject({
        openid: wx.openidOf('alice', MP),
        scope: 'snsapi_userinfo',
        unionid: wx.unionidOf('alice', MP),
      });
      expect(await userinfo(mpToken)).toMatchObject({
        openid: wx.openidOf('alice', MP),
        nickname: 'Alice',
        unionid: wx.unionidOf('alice'),
      });

      const webToken = await exchange(
        codeFrom(await open('/connect/qrconnect', linkParams(WEB, 'snsapi_login'))),
        WEB,
      );
      expect(webToken).toMatchObject({
        openid: wx.openidOf('alice', WEB),
        scope: 'snsapi_login',
        unionid: mpToken.unionid,
      });
      expect(webToken.openid).not.toBe(mpToken.openid);
      expect(await userinfo(webToken)).toMatchObject({
        openid: wx.openidOf('alice', WEB),
        unionid: mpToken.unionid,
      });
    });

    it('shows the app its own name and approves through the scan page for the website app', async () => {
      const qr = await (
        await open('/connect/qrconnect', linkParams(WEB, 'snsapi_login', 'w1'))
      ).text();
      expect(qr).toContain('Scan with WeChat to log in to Acme Website');
      const scanHref = unescape(/<a id="simulate-scan"[^>]* href="([^"]+)"/.exec(qr)?.[1] ?? '');
      const consent = await (await fetch(scanHref)).text();
      expect(consent).toContain('<h1 id="app-name">Acme Website</h1>');
      const decide = new URL('/connect/sandbox/decide', wx.url);
      for (const [name, value] of linkParams(WEB, 'snsapi_login', 'w1'))
        decide.searchParams.append(name, value);
      decide.searchParams.append('user', 'bob');
      decide.searchParams.append('decision', 'approve');
      const token = await exchange(codeFrom(await fetch(decide, { redirect: 'manual' })), WEB);
      expect(token).toMatchObject({
        openid: wx.openidOf('bob', WEB),
        unionid: wx.unionidOf('bob', MP),
      });
    });

    it('sends no unionid from an unbound app, in the token or in userinfo', async () => {
      const token = await exchange(wx.issueCode('alice', 'snsapi_userinfo', LONE), LONE);
      expect(token).toMatchObject({ openid: wx.openidOf('alice', LONE) });
      expect(token).not.toHaveProperty('unionid');
      const info = await userinfo(token);
      expect(info).toMatchObject({ openid: wx.openidOf('alice', LONE), nickname: 'Alice' });
      expect(info).not.toHaveProperty('unionid');
    });
  });

  describe("the wrong kind of app gets WeChat's error page, never a redirect", () => {
    const expectErrorPage = async (res: Response, message: string): Promise<void> => {
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<main id="wx-error" class="error-page" data-errcode="10005">');
      expect(html).toContain(`<h1>${message}</h1>`);
      expect(html).toContain('错误码：10005');
    };

    beforeEach(() => wx.setAutoApprove('alice'));

    it("an official account's appid on qrconnect and on its scan page", async () => {
      await expectErrorPage(
        await open('/connect/qrconnect', linkParams(MP, 'snsapi_login')),
        'Scope 参数错误或没有 Scope 权限',
      );
      await expectErrorPage(
        await open('/connect/sandbox/scan', linkParams(LONE, 'snsapi_login')),
        'Scope 参数错误或没有 Scope 权限',
      );
    });

    it("a website app's appid on oauth2/authorize, whatever the scope", async () => {
      await expectErrorPage(
        await open('/connect/oauth2/authorize', linkParams(WEB, 'snsapi_base')),
        '此公众号并没有这些scope的权限',
      );
      await expectErrorPage(
        await open('/connect/oauth2/authorize', linkParams(WEB, 'snsapi_userinfo')),
        '此公众号并没有这些scope的权限',
      );
      await expectErrorPage(
        await open('/connect/oauth2/authorize', linkParams(WEB, 'snsapi_login')),
        '此公众号并没有这些scope的权限',
      );
    });

    it('a consent answer for a scope the app does not have', async () => {
      const decide = (appid: string, scope: string): Promise<Response> =>
        open('/connect/sandbox/decide', [
          ...linkParams(appid, scope),
          ['user', 'alice'],
          ['decision', 'approve'],
        ]);
      await expectErrorPage(await decide(MP, 'snsapi_login'), 'Scope 参数错误或没有 Scope 权限');
      await expectErrorPage(await decide(WEB, 'snsapi_userinfo'), '此公众号并没有这些scope的权限');
    });

    it('refuses to mint such a code in a test, too', () => {
      expect(() => wx.issueCode('alice', 'snsapi_login', MP)).toThrow(
        `WxSandbox: app '${MP}' (official account) has no scope 'snsapi_login'`,
      );
      expect(() => wx.issueCode('alice', 'snsapi_base', WEB)).toThrow(
        "(website app) has no scope 'snsapi_base'",
      );
      expect(() => wx.issueCode('alice', 'snsapi_base', 'wx0nobody')).toThrow(
        "no app with appid 'wx0nobody'",
      );
    });
  });

  describe('the token endpoints hold each app to its own credentials', () => {
    it("refuses a code of one app exchanged with another's appid and secret (40029), and leaves it usable", async () => {
      const code = wx.issueCode('alice', 'snsapi_userinfo', MP);
      const refused = await exchange(code, WEB);
      expect(refused).toMatchObject({ errcode: 40029 });
      expect(String(refused.errmsg)).toMatch(/^invalid code, rid: /);
      expect(await exchange(code, MP)).toMatchObject({ openid: wx.openidOf('alice', MP) });
    });

    it("refuses one app's appid with another's secret (40125), and an unknown appid (40013)", async () => {
      const code = wx.issueCode('alice', 'snsapi_login', WEB);
      expect(await exchange(code, WEB, secretOf(MP))).toMatchObject({ errcode: 40125 });
      expect(await exchange(code, 'wx0nobody', secretOf(WEB))).toMatchObject({ errcode: 40013 });
      expect(await exchange(code, WEB)).toMatchObject({ openid: wx.openidOf('alice', WEB) });
    });

    it("refuses to refresh one app's token under another appid (40030)", async () => {
      const token = await exchange(wx.issueCode('bob', 'snsapi_login', WEB), WEB);
      const refresh = (appid: string): Promise<Body> =>
        sns('/sns/oauth2/refresh_token', {
          appid,
          grant_type: 'refresh_token',
          refresh_token: String(token.refresh_token),
        });
      expect(await refresh(MP)).toMatchObject({ errcode: 40030 });
      expect(await refresh(WEB)).toMatchObject({
        openid: wx.openidOf('bob', WEB),
        access_token: token.access_token,
      });
    });

    it("refuses one app's openid with another app's token (40003)", async () => {
      const token = await exchange(wx.issueCode('bob', 'snsapi_login', WEB), WEB);
      const check = await sns('/sns/auth', {
        access_token: String(token.access_token),
        openid: wx.openidOf('bob', MP),
      });
      expect(check).toMatchObject({ errcode: 40003 });
    });
  });

  it('counts requests per endpoint across apps', async () => {
    wx.resetStats();
    wx.setAutoApprove('carol');
    await exchange(
      codeFrom(await open('/connect/oauth2/authorize', linkParams(MP, 'snsapi_base'))),
      MP,
    );
    await exchange(
      codeFrom(await open('/connect/qrconnect', linkParams(WEB, 'snsapi_login'))),
      WEB,
    );
    await open('/connect/qrconnect', linkParams(MP, 'snsapi_login'));
    expect(wx.stats.requests).toMatchObject({
      authorize: 1,
      qrconnect: 2,
      access_token: 2,
      scan: 0,
    });
  });

  describe('options', () => {
    it.each<[string, Parameters<typeof WxSandbox.start>[0], string]>([
      ['empty apps', { apps: [] }, 'apps must not be empty'],
      [
        'a duplicate appid',
        { apps: [APPS[0], { ...APPS[1], appid: MP }] },
        `duplicate appid '${MP}'`,
      ],
      [
        'a missing kind',
        { apps: [{ appid: 'wx1' } as WxSandboxApp] },
        "needs kind 'officialAccount', 'website', 'miniProgram', 'mobileApp' or 'multiEndApp'",
      ],
      ['an empty secret', { apps: [{ ...APPS[0], secret: '' }] }, 'has an empty secret'],
      [
        'apps with the single-app appid',
        { apps: APPS, appid: 'wx1' },
        "'appid' describes the single app",
      ],
      [
        'apps with the single-app unionid',
        { apps: APPS, unionid: false },
        "'unionid' describes the single app",
      ],
    ])('refuses %s', async (_, options, message) => {
      await expect(WxSandbox.start(options)).rejects.toThrow(message);
    });
  });

  describe('without the apps option', () => {
    it('holds one app that takes both flows, bound unless unionid is false', async () => {
      const [bound, unbound] = await Promise.all([
        WxSandbox.start({ appid: 'wx0single', secret: 's3cret' }),
        WxSandbox.start({ unionid: false }),
      ]);
      try {
        expect(bound.apps).toEqual([
          {
            appid: 'wx0single',
            secret: 's3cret',
            kind: 'both',
            openPlatform: 'sandbox-open-platform',
            name: 'Sandbox App',
            scopes: ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'],
            originalId: expect.stringMatching(/^gh_[0-9a-f]{12}$/),
          },
        ]);
        expect(bound.unionidOf('alice')).toBe(bound.users[0].unionid);
        expect(bound.openidOf('alice')).toBe(bound.users[0].openid);
        expect(unbound.unionidOf('alice')).toBeUndefined();
        bound.setAutoApprove('alice');
        const base = await fetch(
          `${bound.url}/connect/oauth2/authorize?${new URLSearchParams(linkParams('wx0single', 'snsapi_base'))}`,
          { redirect: 'manual' },
        );
        const login = await fetch(
          `${bound.url}/connect/qrconnect?${new URLSearchParams(linkParams('wx0single', 'snsapi_login'))}`,
          { redirect: 'manual' },
        );
        expect([base.status, login.status]).toEqual([302, 302]);
      } finally {
        await Promise.all([bound.close(), unbound.close()]);
      }
    });
  });
});
