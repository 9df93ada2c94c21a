import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';

type Body = Record<string, unknown>;

const CALLBACK = 'https://app.test/auth/wechat/callback';
const OWNER = 'wx0platform0owner';
const ACME_MP = 'wx0acme0official';
const ACME_WEB = 'wx0acme0website';
const ACME_MINI = 'wx0acme0mini';
const HEX32 = /^[0-9a-f]{32}$/;

const APPS: WxSandboxApp[] = [
  { appid: OWNER, secret: 'owner-secret-0123456789abcdef', kind: 'website' },
  { appid: ACME_MP, secret: 'acme-mp-secret-0123456789ab', kind: 'officialAccount' },
  { appid: ACME_WEB, kind: 'website', openPlatform: 'acme' },
  { appid: ACME_MINI, kind: 'miniProgram', openPlatform: 'acme' },
];

/** A tenant's app, bound to the tenant's own Open Platform account. */
type TenantApp = WxSandboxApp & { openPlatform: string };

/** `count` tenants, each with an official account and a website app. */
const tenantApps = (count: number): TenantApp[] =>
  Array.from({ length: count }, (_, i): TenantApp[] => [
    { appid: `wx0t${i}0official`, kind: 'officialAccount', openPlatform: `tenant-${i}` },
    { appid: `wx0t${i}0website`, kind: 'website', openPlatform: `tenant-${i}` },
  ]).flat();

/** Runs `task` over `items` a few at a time, as a client pool would. */
const inPool = async <T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
};

describe('WxSandbox tenants', () => {
  let wx: WxSandbox;

  beforeEach(async () => {
    wx = await WxSandbox.start({ apps: APPS });
  });
  afterEach(() => wx.close());

  const api = async (path: string, params: Record<string, string>): Promise<Body> => {
    const res = await fetch(`${wx.url}${path}?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Body;
  };
  const exchange = (code: string, appid: string, secret = wx.app(appid).secret): Promise<Body> =>
    api('/sns/oauth2/access_token', { appid, secret, code, grant_type: 'authorization_code' });
  const stableToken = async (appid: string, secret: string): Promise<Body> => {
    const res = await fetch(`${wx.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid, secret }),
    });
    return (await res.json()) as Body;
  };
  const jscode2session = (appid: string, jsCode: string, secret: string): Promise<Body> =>
    api('/sns/jscode2session', {
      appid,
      secret,
      js_code: jsCode,
      grant_type: 'authorization_code',
    });
  /** The browser's front page for the app's kind; `autoApprove` answers with a redirect. */
  const frontPage = (appid: string, kind: 'officialAccount' | 'website'): Promise<Response> => {
    const [path, scope] =
      kind === 'officialAccount'
        ? ['/connect/oauth2/authorize', 'snsapi_userinfo']
        : ['/connect/qrconnect', 'snsapi_login'];
    const params = new URLSearchParams([
      ['appid', appid],
      ['redirect_uri', CALLBACK],
      ['response_type', 'code'],
      ['scope', scope],
      ['state', 'st8'],
    ]);
    return fetch(`${wx.url}${path}?${params}`, { redirect: 'manual' });
  };
  const codeFrom = (res: Response): string => {
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location') ?? 'missing:');
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    return url.searchParams.get('code') ?? '';
  };
  const expectAppidRefused = async (res: Response): Promise<void> => {
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('data-errcode="10016"');
    expect(html).toContain('appid 无效');
  };

  describe('addApp', () => {
    it('registers an app while running, which logs in at once through issueCode and its front page', async () => {
      const added = wx.addApp({
        appid: 'wx0bolt0official',
        kind: 'officialAccount',
        openPlatform: 'bolt',
      });
      expect(added).toMatchObject({
        appid: 'wx0bolt0official',
        kind: 'officialAccount',
        openPlatform: 'bolt',
        name: 'Sandbox App',
        scopes: ['snsapi_base', 'snsapi_userinfo'],
      });
      expect(added.secret).toMatch(HEX32);
      expect(wx.app('wx0bolt0official')).toBe(added);
      expect(wx.apps.map((app) => app.appid)).toEqual([
        ...APPS.map((app) => app.appid),
        added.appid,
      ]);

      const token = await exchange(
        wx.issueCode('alice', 'snsapi_userinfo', added.appid),
        added.appid,
      );
      expect(token).toMatchObject({
        openid: wx.openidOf('alice', added.appid),
        unionid: wx.unionidOf('alice', added.appid),
        scope: 'snsapi_userinfo',
      });
      expect(token.openid).not.toBe(wx.openidOf('alice', ACME_MP));
      const userinfo = await api('/sns/userinfo', {
        access_token: String(token.access_token),
        openid: String(token.openid),
      });
      expect(userinfo).toMatchObject({
        openid: token.openid,
        nickname: 'Alice',
        unionid: token.unionid,
      });

      wx.setAutoApprove('bob');
      const code = codeFrom(await frontPage(added.appid, 'officialAccount'));
      expect(await exchange(code, added.appid)).toMatchObject({
        openid: wx.openidOf('bob', added.appid),
      });
    });

    it('shares unionids with the apps of the same Open Platform account, and keeps a given secret and name', async () => {
      const web = wx.addApp({
        appid: 'wx0acme0website2',
        secret: 'acme-web2-secret',
        kind: 'website',
        openPlatform: 'acme',
        name: 'Acme 2',
      });
      expect(web).toMatchObject({
        secret: 'acme-web2-secret',
        name: 'Acme 2',
        scopes: ['snsapi_login'],
      });
      wx.setAutoApprove('carol');
      const token = await exchange(
        codeFrom(await frontPage(web.appid, 'website')),
        web.appid,
        'acme-web2-secret',
      );
      expect(token.unionid).toBe(wx.unionidOf('carol', ACME_WEB));
      expect(token.openid).not.toBe(wx.openidOf('carol', ACME_WEB));
      // A website app still has no official account's page.
      expect((await frontPage(web.appid, 'officialAccount')).status).toBe(400);
    });

    it('checks the app as the apps option does, and leaves the apps as they were when it refuses', () => {
      const before = wx.apps;
      expect(() => wx.addApp({ appid: ACME_MP, kind: 'officialAccount' })).toThrow(
        `WxSandbox: duplicate appid '${ACME_MP}'`,
      );
      wx.addApp({ appid: 'wx0new', kind: 'miniProgram' });
      expect(() => wx.addApp({ appid: 'wx0new', kind: 'miniProgram' })).toThrow(
        "WxSandbox: duplicate appid 'wx0new'",
      );
      expect(() => wx.addApp({ appid: '', kind: 'website' })).toThrow('every app needs an appid');
      expect(() => wx.addApp({ appid: 'wx0odd', kind: 'both' as never })).toThrow(
        "app 'wx0odd' needs kind 'officialAccount', 'website', 'miniProgram', 'mobileApp' or 'multiEndApp'",
      );
      expect(() => wx.addApp({ appid: 'wx0odd', kind: 'website', secret: '' })).toThrow(
        "app 'wx0odd' has an empty secret",
      );
      expect(() => wx.app('wx0odd')).toThrow("no app with appid 'wx0odd'");
      expect(before).toHaveLength(APPS.length);
      expect(wx.apps).toHaveLength(APPS.length + 1);
      expect(Object.isFrozen(wx.apps)).toBe(true);
    });

    it('needs the apps option: the single app takes both flows, no tenant owns it', async () => {
      const single = await WxSandbox.start();
      try {
        expect(() => single.addApp({ appid: 'wx0more', kind: 'website' })).toThrow(
          "WxSandbox: addApp() needs the 'apps' option",
        );
        expect(() => single.removeApp(single.appid)).toThrow(
          "WxSandbox: removeApp() needs the 'apps' option",
        );
        expect(single.apps.map((app) => app.appid)).toEqual([single.appid]);
      } finally {
        await single.close();
      }
    });
  });

  describe('removeApp', () => {
    it('makes WeChat answer the appid as unknown everywhere, its codes and tokens included', async () => {
      const secret = wx.app(ACME_MP).secret;
      const pending = wx.issueCode('alice', 'snsapi_userinfo', ACME_MP);
      const token = await exchange(wx.issueCode('bob', 'snsapi_userinfo', ACME_MP), ACME_MP);
      const appToken = await stableToken(ACME_MP, secret);
      expect(appToken.access_token).toEqual(expect.any(String));
      wx.setFollowing('bob', ACME_MP, true);

      wx.removeApp(ACME_MP);

      expect(wx.apps.map((app) => app.appid)).not.toContain(ACME_MP);
      expect(() => wx.app(ACME_MP)).toThrow(`no app with appid '${ACME_MP}'`);
      expect(() => wx.issueCode('alice', 'snsapi_base', ACME_MP)).toThrow('no app with appid');
      expect(await exchange(pending, ACME_MP, secret)).toMatchObject({ errcode: 40013 });
      expect((await stableToken(ACME_MP, secret)).errcode).toBe(40013);
      expect(
        await api('/sns/oauth2/refresh_token', {
          appid: ACME_MP,
          grant_type: 'refresh_token',
          refresh_token: String(token.refresh_token),
        }),
      ).toMatchObject({ errcode: 40013 });
      const userToken = { access_token: String(token.access_token), openid: String(token.openid) };
      expect((await api('/sns/auth', userToken)).errcode).toBe(40001);
      expect((await api('/sns/userinfo', userToken)).errcode).toBe(40001);
      expect(
        (
          await api('/cgi-bin/user/info', {
            access_token: String(appToken.access_token),
            openid: String(token.openid),
          })
        ).errcode,
      ).toBe(40001);
      wx.setAutoApprove('alice');
      await expectAppidRefused(await frontPage(ACME_MP, 'officialAccount'));

      // The other tenants carry on.
      const other = await exchange(codeFrom(await frontPage(ACME_WEB, 'website')), ACME_WEB);
      expect(other.openid).toBe(wx.openidOf('alice', ACME_WEB));
    });

    it('refuses a website app on qrconnect and a mini-program on jscode2session once removed', async () => {
      const webSecret = wx.app(ACME_WEB).secret;
      const miniSecret = wx.app(ACME_MINI).secret;
      const jsCode = wx.wxLogin('alice', ACME_MINI);
      wx.removeApp(ACME_WEB);
      wx.removeApp(ACME_MINI);
      wx.setAutoApprove('alice');
      await expectAppidRefused(await frontPage(ACME_WEB, 'website'));
      expect(await exchange('any-code', ACME_WEB, webSecret)).toMatchObject({ errcode: 40013 });
      expect(await jscode2session(ACME_MINI, jsCode, miniSecret)).toMatchObject({ errcode: 40013 });
      expect((await stableToken(ACME_MINI, miniSecret)).errcode).toBe(40013);
    });

    it('gives an appid added again a clean slate: nothing issued before the removal comes back', async () => {
      const before = wx.issueCode('alice', 'snsapi_base', ACME_MP);
      const tokenBefore = await stableToken(ACME_MP, wx.app(ACME_MP).secret);
      wx.removeApp(ACME_MP);
      const again = wx.addApp({ appid: ACME_MP, kind: 'officialAccount' });
      expect(wx.apps.at(-1)).toBe(again);
      expect(wx.appTokensIssued(ACME_MP)).toBe(0);
      expect(await exchange(before, ACME_MP)).toMatchObject({ errcode: 40029 });
      expect(
        (
          await api('/cgi-bin/user/info', {
            access_token: String(tokenBefore.access_token),
            openid: 'x',
          })
        ).errcode,
      ).toBe(40001);
      const token = await exchange(wx.issueCode('alice', 'snsapi_base', ACME_MP), ACME_MP);
      expect(token.openid).toBe(wx.openidOf('alice', ACME_MP));
    });

    it('keeps appid, secret and users naming the first app once it is gone, and throws for an unknown appid', () => {
      const users = wx.users;
      wx.removeApp(OWNER);
      expect(wx.appid).toBe(OWNER);
      expect(wx.secret).toBe('owner-secret-0123456789abcdef');
      expect(wx.users).toBe(users);
      expect(() => wx.issueCode('alice', 'snsapi_login')).toThrow(`no app with appid '${OWNER}'`);
      expect(() => wx.removeApp(OWNER)).toThrow(`no app with appid '${OWNER}'`);
      expect(() => wx.removeApp('wx0nobody')).toThrow("no app with appid 'wx0nobody'");
    });
  });

  describe('setSecret', () => {
    it("rotates an official account's secret: the old one gets 40125, the new one redeems codes issued before", async () => {
      const old = wx.app(ACME_MP).secret;
      const before = wx.issueCode('alice', 'snsapi_userinfo', ACME_MP);
      const secret = wx.setSecret(ACME_MP);
      expect(secret).toMatch(HEX32);
      expect(secret).not.toBe(old);
      expect(wx.app(ACME_MP).secret).toBe(secret);
      expect(wx.apps.find((app) => app.appid === ACME_MP)?.secret).toBe(secret);
      expect(wx.apps.map((app) => app.appid)).toEqual(APPS.map((app) => app.appid));

      expect(await exchange(before, ACME_MP, old)).toMatchObject({ errcode: 40125 });
      expect((await stableToken(ACME_MP, old)).errcode).toBe(40125);
      expect(await exchange(before, ACME_MP, secret)).toMatchObject({
        openid: wx.openidOf('alice', ACME_MP),
        scope: 'snsapi_userinfo',
      });
      expect((await stableToken(ACME_MP, secret)).access_token).toEqual(expect.any(String));
    });

    it('takes a given secret, for the first app too, and leaves the other apps alone', async () => {
      const webSecret = wx.app(ACME_WEB).secret;
      expect(wx.setSecret(OWNER, 'owner-rotated')).toBe('owner-rotated');
      expect(wx.secret).toBe('owner-rotated');
      expect(wx.app(ACME_WEB).secret).toBe(webSecret);
      const code = wx.issueCode('alice', 'snsapi_login');
      expect(await exchange(code, OWNER, 'owner-secret-0123456789abcdef')).toMatchObject({
        errcode: 40125,
      });
      expect(await exchange(code, OWNER, 'owner-rotated')).toMatchObject({
        openid: wx.openidOf('alice', OWNER),
      });
      expect(() => wx.setSecret(OWNER, '')).toThrow(
        "app 'wx0platform0owner' needs a non-empty secret",
      );
      expect(() => wx.setSecret('wx0nobody')).toThrow("no app with appid 'wx0nobody'");
      expect(wx.secret).toBe('owner-rotated');
    });

    it("rotates a mini-program's secret for jscode2session", async () => {
      const old = wx.app(ACME_MINI).secret;
      const jsCode = wx.wxLogin('bob', ACME_MINI);
      const secret = wx.setSecret(ACME_MINI);
      expect(await jscode2session(ACME_MINI, jsCode, old)).toMatchObject({ errcode: 40125 });
      expect(await jscode2session(ACME_MINI, jsCode, secret)).toMatchObject({
        openid: wx.openidOf('bob', ACME_MINI),
        unionid: wx.unionidOf('bob', ACME_MINI),
      });
    });
  });

  describe('a thousand apps', () => {
    const apps = tenantApps(500);

    it('start well under a second, and each app answers its front page and token exchange', async () => {
      await wx.close();
      const startedAt = performance.now();
      wx = await WxSandbox.start({ apps, autoApprove: 'alice' });
      const startMs = performance.now() - startedAt;
      expect(startMs).toBeLessThan(1000);
      expect(wx.apps).toHaveLength(1000);

      const unionids = new Map<string, unknown>();
      await inPool(apps, async ({ appid, kind, openPlatform: tenant }) => {
        const front = await frontPage(appid, kind === 'website' ? 'website' : 'officialAccount');
        const token = await exchange(codeFrom(front), appid);
        expect(token.openid).toBe(wx.openidOf('alice', appid));
        const unionid = unionids.get(tenant);
        if (unionid === undefined) unionids.set(tenant, token.unionid);
        else expect(token.unionid).toBe(unionid);
      });
      // One unionid per tenant: each pair shares its account, no two tenants share one.
      expect(unionids.size).toBe(500);
      expect(new Set(unionids.values()).size).toBe(500);
    }, 30_000);
  });
});
