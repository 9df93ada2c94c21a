import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';
import {
  RID,
  TOKEN_FIELDS_WITH_UNIONID,
  browserHelperClient,
  wxAnswer as answer,
} from './wx-sandbox.spec-helper.js';

type Body = Record<string, any>;

const MP = 'wx0official0account';
const WEB = 'wx0website0app';
const MINI = 'wx0mini0program';
const MOBILE = 'wx0mobile0app';
const DONUT = 'wx0multi0end';
const LONE_MOBILE = 'wx0unbound0mobile';
const LONE_DONUT = 'wx0unbound0donut';
const APPS: WxSandboxApp[] = [
  { appid: MP, kind: 'officialAccount', openPlatform: 'acme' },
  { appid: WEB, kind: 'website', openPlatform: 'acme' },
  { appid: MINI, kind: 'miniProgram', openPlatform: 'acme' },
  { appid: MOBILE, secret: 'mobile-secret-0123456789', kind: 'mobileApp', openPlatform: 'acme' },
  { appid: DONUT, secret: 'donut-secret-0123456789', kind: 'multiEndApp', mobileAppid: MOBILE },
  { appid: LONE_MOBILE, kind: 'mobileApp' },
  { appid: LONE_DONUT, kind: 'multiEndApp', mobileAppid: LONE_MOBILE },
];
const FIVE_MINUTES = 5 * 60 * 1000;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const CALLBACK = 'https://app.test/auth/wechat/callback';

describe('WxSandbox native apps', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({ apps: APPS });
  });
  afterAll(() => wx.close());
  afterEach(() => {
    wx.clearFaults();
    wx.setHighRisk('alice', false);
  });

  const get = (path: string, params: Record<string, string>, sandbox = wx): Promise<Body> =>
    fetch(`${sandbox.url}${path}?${new URLSearchParams(params)}`).then(answer);
  /** The app's server exchanging a code, with `appid`'s own secret unless told. */
  const exchange = (
    code: string,
    appid = MOBILE,
    sandbox = wx,
    secret = sandbox.app(appid).secret,
  ): Promise<Body> =>
    get(
      '/sns/oauth2/access_token',
      { appid, secret, code, grant_type: 'authorization_code' },
      sandbox,
    );
  const appLogin = (user: string, appid = MOBILE, sandbox = wx): Promise<Body> =>
    exchange(sandbox.appLogin({ user, appid }).code, appid, sandbox);
  const appTokenOf = async (appid = DONUT, sandbox = wx): Promise<string> => {
    const token = await fetch(`${sandbox.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({
        grant_type: 'client_credential',
        appid,
        secret: sandbox.app(appid).secret,
      }),
    }).then(answer);
    expect(token.access_token).toEqual(expect.any(String));
    return String(token.access_token);
  };
  /**
   * code2verifyinfo as a multi-end app's server calls it (with `appid`'s own token and
   * secret unless told), each parameter replaceable, or left out when `undefined`.
   */
  const verify = async (
    code: string,
    params: Record<string, string | undefined> = {},
    sandbox = wx,
  ): Promise<Body> => {
    const appid = params.appid ?? DONUT;
    const query = Object.entries({
      access_token: 'access_token' in params ? undefined : await appTokenOf(appid, sandbox),
      appid,
      appsecret: sandbox.app(appid).secret,
      code,
      grant_type: 'authorization_code',
      ...params,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return get('/donut/code2verifyinfo', Object.fromEntries(query), sandbox);
  };

  describe('the model', () => {
    it('registers mobile and multi-end apps with no browser scope, an openid per app and the shared unionid', () => {
      expect(wx.app(MOBILE)).toMatchObject({ kind: 'mobileApp', scopes: [], openPlatform: 'acme' });
      expect(wx.app(DONUT)).toMatchObject({ kind: 'multiEndApp', scopes: [], mobileAppid: MOBILE });
      expect(wx.app(MOBILE)).not.toHaveProperty('mobileAppid');
      const openids = APPS.map(({ appid }) => wx.openidOf('alice', appid));
      expect(new Set(openids).size).toBe(APPS.length);
      expect(wx.unionidOf('alice', MOBILE)).toBe(wx.unionidOf('alice', WEB));
      expect(wx.unionidOf('alice', MOBILE)).toBe(wx.unionidOf('alice', MINI));
      expect(wx.unionidOf('bob', MOBILE)).not.toBe(wx.unionidOf('alice', MOBILE));
      expect(wx.unionidOf('alice', LONE_MOBILE)).toBeUndefined();
    });

    it.each<[string, WxSandboxApp, string]>([
      [
        'a multi-end app without its mobile app',
        { appid: 'wx1', kind: 'multiEndApp' },
        "multi-end app 'wx1' needs the mobileAppid of its mobile app",
      ],
      [
        'an empty mobileAppid',
        { appid: 'wx1', kind: 'multiEndApp', mobileAppid: '' },
        "multi-end app 'wx1' needs the mobileAppid",
      ],
      [
        'a mobileAppid on another kind',
        { appid: 'wx1', kind: 'mobileApp', mobileAppid: MOBILE },
        "app 'wx1' has a mobileAppid, which only a multiEndApp has",
      ],
    ])('refuses %s', async (_, app, message) => {
      await expect(WxSandbox.start({ apps: [app] })).rejects.toThrow(message);
      expect(() => wx.addApp(app)).toThrow(message);
    });

    it('takes a multi-end app registered before its mobile app', async () => {
      const fresh = await WxSandbox.start({
        apps: [
          { appid: 'wx0donut', kind: 'multiEndApp', mobileAppid: 'wx0later' },
          { appid: 'wx0later', kind: 'mobileApp' },
        ],
      });
      try {
        expect(fresh.identityCode({ user: 'alice' })).toMatch(/^[A-Za-z0-9]{32}$/);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('appLogin, the OpenSDK login', () => {
    it('answers a code and the state unchanged, and no state when none was sent', () => {
      const state = 'a1b2-c3 d4/é';
      const resp = wx.appLogin({ user: 'alice', appid: MOBILE, state });
      expect(resp).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9]{32}$/), state });
      const bare = wx.appLogin({ user: 'alice', appid: MOBILE });
      expect(Object.keys(bare)).toEqual(['code']);
      expect(bare.code).not.toBe(resp.code);
      expect(wx.appLogin({ user: 'alice', appid: MOBILE, state: '' })).toHaveProperty('state', '');
    });

    it('defaults to the one mobile app, and throws when there are none or several', async () => {
      expect(() => wx.appLogin({ user: 'alice' })).toThrow(
        `WxSandbox: appLogin() needs an appid: 2 mobile apps are registered (${MOBILE}, ${LONE_MOBILE})`,
      );
      const one = await WxSandbox.start({
        apps: [
          { appid: WEB, kind: 'website' },
          { appid: MOBILE, kind: 'mobileApp' },
        ],
      });
      const none = await WxSandbox.start({ apps: [{ appid: WEB, kind: 'website' }] });
      try {
        const token = await exchange(one.appLogin({ user: 'bob' }).code, MOBILE, one);
        expect(token.openid).toBe(one.openidOf('bob', MOBILE));
        expect(() => none.appLogin({ user: 'bob' })).toThrow(
          'WxSandbox: appLogin() needs a mobile app, and none is registered',
        );
      } finally {
        await Promise.all([one.close(), none.close()]);
      }
    });

    it('throws for another kind of app, an unknown app or user, and a state that is no string', () => {
      expect(() => wx.appLogin({ user: 'alice', appid: WEB })).toThrow(
        `WxSandbox: app '${WEB}' (website app) is not a mobile app`,
      );
      expect(() => wx.appLogin({ user: 'alice', appid: DONUT })).toThrow(
        '(multi-end app) is not a mobile app',
      );
      expect(() => wx.appLogin({ user: 'alice', appid: 'wx0nobody' })).toThrow(
        "no app with appid 'wx0nobody'",
      );
      expect(() => wx.appLogin({ user: 'nobody', appid: MOBILE })).toThrow(
        "no user with key 'nobody'",
      );
      expect(() => wx.appLogin({ user: 'alice', appid: MOBILE, state: 7 as never })).toThrow(
        'appLogin() takes a string state',
      );
    });

    it('mints no browser code for a mobile app', () => {
      expect(() => wx.issueCode('alice', 'snsapi_userinfo', MOBILE)).toThrow(
        `WxSandbox: app '${MOBILE}' (mobile app) has no scope 'snsapi_userinfo'`,
      );
    });
  });

  describe("the mobile app's code at /sns", () => {
    it('goes through access_token, userinfo, refresh_token and auth, with the shared unionid', async () => {
      const token = await appLogin('alice');
      expect(Object.keys(token).sort()).toEqual(TOKEN_FIELDS_WITH_UNIONID);
      expect(token).toMatchObject({
        expires_in: 7200,
        openid: wx.openidOf('alice', MOBILE),
        scope: 'snsapi_userinfo',
        unionid: wx.unionidOf('alice', WEB),
      });
      expect(token.openid).not.toBe(wx.openidOf('alice', WEB));

      const info = await get('/sns/userinfo', {
        access_token: token.access_token,
        openid: token.openid,
      });
      expect(info).toMatchObject({
        openid: wx.openidOf('alice', MOBILE),
        unionid: wx.unionidOf('alice', MINI),
        nickname: 'Alice',
      });

      const refreshed = await get('/sns/oauth2/refresh_token', {
        appid: MOBILE,
        grant_type: 'refresh_token',
        refresh_token: token.refresh_token,
      });
      expect(refreshed).toMatchObject({
        openid: token.openid,
        refresh_token: token.refresh_token,
        scope: 'snsapi_userinfo',
      });
      const auth = await get('/sns/auth', {
        access_token: refreshed.access_token,
        openid: token.openid,
      });
      expect(auth).toEqual({ errcode: 0, errmsg: 'ok' });
      // Another app's appid refreshes nothing of the mobile app's.
      const foreign = await get('/sns/oauth2/refresh_token', {
        appid: WEB,
        grant_type: 'refresh_token',
        refresh_token: token.refresh_token,
      });
      expect(foreign).toEqual({ errcode: 40030, errmsg: expect.stringMatching(RID) });
    });

    it('sends no unionid from an unbound mobile app', async () => {
      const token = await appLogin('bob', LONE_MOBILE);
      expect(token).not.toHaveProperty('unionid');
      expect(token.openid).toBe(wx.openidOf('bob', LONE_MOBILE));
      const info = await get('/sns/userinfo', {
        access_token: token.access_token,
        openid: token.openid,
      });
      expect(info.openid).toBe(token.openid);
      expect(info).not.toHaveProperty('unionid');
    });

    it('takes a code once: a replay gets 40163', async () => {
      const { code } = wx.appLogin({ user: 'carol', appid: MOBILE });
      expect((await exchange(code)).openid).toBe(wx.openidOf('carol', MOBILE));
      expect(await exchange(code)).toEqual({
        errcode: 40163,
        errmsg: expect.stringMatching(/^code been used, rid: /),
      });
    });

    it("refuses it with another app's appid (40029), and leaves it usable by the mobile app", async () => {
      const { code } = wx.appLogin({ user: 'alice', appid: MOBILE });
      for (const appid of [WEB, MP, MINI, DONUT, LONE_MOBILE]) {
        expect({ appid, error: await exchange(code, appid) }).toEqual({
          appid,
          error: { errcode: 40029, errmsg: expect.stringMatching(/^invalid code, rid: /) },
        });
      }
      expect(await exchange(code, MOBILE, wx, wx.app(WEB).secret)).toMatchObject({
        errcode: 40125,
      });
      expect((await exchange(code)).openid).toBe(wx.openidOf('alice', MOBILE));
      // And the other way: a website's code is unknown to the mobile app.
      expect(await exchange(wx.issueCode('alice', 'snsapi_login', WEB))).toMatchObject({
        errcode: 40029,
      });
    });

    it('expires a code after 5 minutes of the sandbox clock, and a refresh token after 30 days', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const young = fresh.appLogin({ user: 'alice', appid: MOBILE }).code;
        const old = fresh.appLogin({ user: 'alice', appid: MOBILE }).code;
        fresh.advance(FIVE_MINUTES - 1000);
        const token = await exchange(young, MOBILE, fresh);
        expect(token.openid).toBe(fresh.openidOf('alice', MOBILE));
        fresh.advance(1000);
        expect(await exchange(old, MOBILE, fresh)).toMatchObject({ errcode: 40029 });

        const refresh = (): Promise<Body> =>
          get(
            '/sns/oauth2/refresh_token',
            { appid: MOBILE, grant_type: 'refresh_token', refresh_token: token.refresh_token },
            fresh,
          );
        fresh.advance(30 * DAY - FIVE_MINUTES - 1000);
        expect((await refresh()).openid).toBe(token.openid);
        fresh.advance(FIVE_MINUTES + 1000);
        expect(await refresh()).toEqual({
          errcode: 42002,
          errmsg: expect.stringMatching(/^refresh_token expired, rid: /),
        });
      } finally {
        await fresh.close();
      }
    });

    it('blocks a high-risk user (40226), the code used up; a website login is not blocked', async () => {
      wx.setHighRisk('alice', true);
      const { code } = wx.appLogin({ user: 'alice', appid: MOBILE });
      expect(await exchange(code)).toEqual({
        errcode: 40226,
        errmsg: expect.stringMatching(/^code blocked, rid: /),
      });
      expect((await exchange(wx.issueCode('alice', 'snsapi_login', WEB), WEB)).openid).toBe(
        wx.openidOf('alice', WEB),
      );
      wx.setHighRisk('alice', false);
      expect(await exchange(code)).toMatchObject({ errcode: 40163 });
      expect((await appLogin('alice')).openid).toBe(wx.openidOf('alice', MOBILE));
    });

    it('answers a fault injected on access_token without using the code', async () => {
      const { code } = wx.appLogin({ user: 'bob', appid: MOBILE });
      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'access_token' });
      expect(await exchange(code)).toEqual({
        errcode: -1,
        errmsg: expect.stringMatching(/^system error, rid: /),
      });
      expect((await exchange(code)).openid).toBe(wx.openidOf('bob', MOBILE));
    });
  });

  describe('the wrong kind of app', () => {
    const open = (path: string, appid: string, scope: string): Promise<Response> =>
      fetch(
        `${wx.url}${path}?${new URLSearchParams([
          ['appid', appid],
          ['redirect_uri', CALLBACK],
          ['response_type', 'code'],
          ['scope', scope],
          ['state', 'st8'],
        ])}`,
        { redirect: 'manual' },
      );

    it("refuses a mobile or multi-end app's appid on the browser pages, never redirecting", async () => {
      wx.setAutoApprove('alice');
      try {
        for (const appid of [MOBILE, DONUT]) {
          for (const [path, scope, message] of [
            ['/connect/oauth2/authorize', 'snsapi_userinfo', '此公众号并没有这些scope的权限'],
            ['/connect/oauth2/authorize', 'snsapi_base', '此公众号并没有这些scope的权限'],
            ['/connect/qrconnect', 'snsapi_login', 'Scope 参数错误或没有 Scope 权限'],
          ]) {
            const res = await open(path, appid, scope);
            expect({ appid, path, status: res.status }).toEqual({ appid, path, status: 400 });
            expect(res.headers.get('location')).toBeNull();
            const html = await res.text();
            expect(html).toContain('data-errcode="10005"');
            expect(html).toContain(`<h1>${message}</h1>`);
          }
        }
      } finally {
        wx.setAutoApprove(false);
      }
    });

    it("refuses a mobile app's appid at jscode2session, and says why", async () => {
      const error = await get('/sns/jscode2session', {
        appid: MOBILE,
        secret: wx.app(MOBILE).secret,
        js_code: wx.appLogin({ user: 'alice', appid: MOBILE }).code,
        grant_type: 'authorization_code',
      });
      expect(error).toEqual({
        errcode: 40013,
        errmsg: expect.stringMatching(/^invalid appid, not a mini-program \(mobile app\), rid: /),
      });
    });

    it('gives a mobile app no app token, and a multi-end app one', async () => {
      const refused = await fetch(`${wx.url}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({
          grant_type: 'client_credential',
          appid: MOBILE,
          secret: wx.app(MOBILE).secret,
        }),
      }).then(answer);
      expect(refused).toEqual({ errcode: 40013, errmsg: expect.stringMatching(RID) });
      const before = wx.appTokensIssued(DONUT);
      expect(await appTokenOf(DONUT)).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(wx.appTokensIssued(DONUT)).toBe(before + 1);
    });
  });

  describe('identityCode and /donut/code2verifyinfo', () => {
    it("answers the mobile app's openid and unionid, a user_id and the login time", async () => {
      const body = await verify(wx.identityCode({ user: 'bob', appid: DONUT }));
      expect(body).toEqual({
        errcode: 0,
        errmsg: 'ok',
        login_info: { type: 'weixinApp', login_time: expect.any(Number) },
        user_info: {
          user_id: expect.stringMatching(/^[0-9a-f]{32}$/),
          openapp_info: {
            appid: MOBILE,
            openid: wx.openidOf('bob', MOBILE),
            unionid: wx.unionidOf('bob', WEB),
            nickname: '小明 🐼',
            headimgurl: wx.users.find((user) => user.key === 'bob')!.headimgurl,
          },
        },
      });
      expect(Math.abs(body.login_info.login_time - wx.now() / 1000)).toBeLessThan(2);
    });

    it('keeps user_id per user and multi-end app', async () => {
      const idOf = async (user: string, appid = DONUT): Promise<string> => {
        const body = await verify(wx.identityCode({ user, appid }), { appid });
        return body.user_info.user_id as string;
      };
      const alice = await idOf('alice');
      expect(await idOf('alice')).toBe(alice);
      expect(await idOf('bob')).not.toBe(alice);
      expect(await idOf('alice', LONE_DONUT)).not.toBe(alice);
    });

    it("sends no unionid when the mobile app is unbound, and the login time by the sandbox's clock", async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        fresh.advance(DAY);
        const body = await verify(
          fresh.identityCode({ user: 'alice', appid: LONE_DONUT }),
          { appid: LONE_DONUT },
          fresh,
        );
        expect(body.user_info.openapp_info).toEqual({
          appid: LONE_MOBILE,
          openid: fresh.openidOf('alice', LONE_MOBILE),
          nickname: 'Alice',
          headimgurl: expect.any(String),
        });
        expect(body.login_info.login_time - Date.now() / 1000).toBeGreaterThan(DAY / 1000 - 10);
      } finally {
        await fresh.close();
      }
    });

    it('defaults to the one multi-end app, and throws when there are none or several', async () => {
      expect(() => wx.identityCode({ user: 'alice' })).toThrow(
        `WxSandbox: identityCode() needs an appid: 2 multi-end apps are registered (${DONUT}, ${LONE_DONUT})`,
      );
      const one = await WxSandbox.start({
        apps: [
          { appid: MOBILE, kind: 'mobileApp' },
          { appid: DONUT, kind: 'multiEndApp', mobileAppid: MOBILE },
        ],
      });
      try {
        const body = await verify(one.identityCode({ user: 'carol' }), {}, one);
        expect(body.user_info.openapp_info.openid).toBe(one.openidOf('carol', MOBILE));
        expect(() => one.identityCode({ user: 'carol', appid: MOBILE })).toThrow(
          `app '${MOBILE}' (mobile app) is not a multi-end app`,
        );
        expect(() => one.identityCode({ user: 'nobody' })).toThrow("no user with key 'nobody'");
      } finally {
        await one.close();
      }
      expect(() => wx.identityCode({ user: 'alice', appid: MP })).toThrow(
        '(official account) is not a multi-end app',
      );
    });

    it('throws when the mobile app it names is not a registered mobile app', async () => {
      const fresh = await WxSandbox.start({
        apps: [
          { appid: WEB, kind: 'website' },
          { appid: 'wx0dangling', kind: 'multiEndApp', mobileAppid: 'wx0missing' },
          { appid: 'wx0odd', kind: 'multiEndApp', mobileAppid: WEB },
        ],
      });
      try {
        expect(() => fresh.identityCode({ user: 'alice', appid: 'wx0dangling' })).toThrow(
          "multi-end app 'wx0dangling' needs its mobile app 'wx0missing' registered as a mobileApp",
        );
        expect(() => fresh.identityCode({ user: 'alice', appid: 'wx0odd' })).toThrow(
          `needs its mobile app '${WEB}' registered as a mobileApp`,
        );
      } finally {
        await fresh.close();
      }
    });

    it("answers each of WeChat's errors, never echoing a secret, code or token, and uses no code up", async () => {
      const code = wx.identityCode({ user: 'carol', appid: DONUT });
      const token = await appTokenOf(DONUT);
      const secret = wx.app(DONUT).secret;
      const cases: Array<[string, Record<string, string | undefined>, number, RegExp]> = [
        ['no access_token', { access_token: undefined }, 41001, /^access_token missing, rid: /],
        ['an unknown access_token', { access_token: 'nope' }, 40001, /^invalid credential/],
        [
          "another app's access_token",
          { access_token: await appTokenOf(MINI) },
          40001,
          /^invalid credential/,
        ],
        [
          "another multi-end app's access_token",
          { access_token: await appTokenOf(LONE_DONUT) },
          40001,
          /^invalid credential/,
        ],
        ['no appid', { appid: undefined }, 10001002, /^appid错误, rid: /],
        ['an unknown appid', { appid: 'wx0nobody' }, 10001002, /^appid错误, rid: /],
        [
          "the mobile app's appid and secret",
          { appid: MOBILE, appsecret: wx.app(MOBILE).secret },
          10001002,
          /^appid错误, rid: /,
        ],
        [
          'the secret as secret',
          { appsecret: undefined, secret },
          10001003,
          /^appsecret错误, rid: /,
        ],
        ['a wrong appsecret', { appsecret: `${secret}x` }, 10001003, /^appsecret错误, rid: /],
        [
          "the mobile app's secret",
          { appsecret: wx.app(MOBILE).secret },
          10001003,
          /^appsecret错误, rid: /,
        ],
        ['no grant_type', { grant_type: undefined }, 10001004, /^grant_type错误, rid: /],
        [
          'another grant_type',
          { grant_type: 'client_credential' },
          10001004,
          /^grant_type错误, rid: /,
        ],
        ['no code', { code: undefined }, 10001001, /^code错误, rid: /],
        ['an unknown code', { code: 'unknown-code' }, 10001001, /^code错误, rid: /],
        [
          "another multi-end app's code",
          { code: wx.identityCode({ user: 'carol', appid: LONE_DONUT }) },
          10001001,
          /^code错误, rid: /,
        ],
        [
          "a mobile app's OpenSDK code",
          { code: wx.appLogin({ user: 'carol', appid: MOBILE }).code },
          10001001,
          /^code错误, rid: /,
        ],
        [
          "a mini-program's js_code",
          { code: wx.wxLogin('carol', MINI) },
          10001001,
          /^code错误, rid: /,
        ],
      ];
      for (const [what, params, errcode, errmsg] of cases) {
        const query = Object.entries({
          access_token: token,
          appid: DONUT,
          appsecret: secret,
          code,
          grant_type: 'authorization_code',
          ...params,
        }).filter((entry): entry is [string, string] => entry[1] !== undefined);
        const error = await get('/donut/code2verifyinfo', Object.fromEntries(query));
        expect({ what, error }).toEqual({
          what,
          error: { errcode, errmsg: expect.stringMatching(errmsg) },
        });
        expect(error.errmsg).toMatch(RID);
        for (const hidden of [secret, code, token])
          expect(JSON.stringify(error)).not.toContain(hidden);
      }
      // None of them used the code up.
      expect((await verify(code)).user_info.openapp_info.openid).toBe(wx.openidOf('carol', MOBILE));
    });

    it('refuses POST with 43001, leaving the code usable', async () => {
      const code = wx.identityCode({ user: 'alice', appid: DONUT });
      const params = new URLSearchParams({
        access_token: await appTokenOf(DONUT),
        appid: DONUT,
        appsecret: wx.app(DONUT).secret,
        code,
        grant_type: 'authorization_code',
      });
      const posted = await fetch(`${wx.url}/donut/code2verifyinfo?${params}`, {
        method: 'POST',
        body: JSON.stringify(Object.fromEntries(params)),
      }).then(answer);
      expect(posted).toEqual({
        errcode: 43001,
        errmsg: expect.stringMatching(/^require GET method, rid: /),
      });
      expect((await verify(code)).errcode).toBe(0);
    });

    it('takes a code once: a used one gets 10001001', async () => {
      const code = wx.identityCode({ user: 'alice', appid: DONUT });
      expect((await verify(code)).errcode).toBe(0);
      expect(await verify(code)).toEqual({
        errcode: 10001001,
        errmsg: expect.stringMatching(/^code错误, rid: /),
      });
    });

    it('expires a code after miniCodeTtlMs (10001000), and the app token after 2 hours (42001)', async () => {
      const fresh = await WxSandbox.start({ apps: APPS, miniCodeTtlMs: 10_000 });
      try {
        const token = await appTokenOf(DONUT, fresh);
        const young = fresh.identityCode({ user: 'alice', appid: DONUT });
        const old = fresh.identityCode({ user: 'alice', appid: DONUT });
        fresh.advance(9_000);
        expect((await verify(young, { access_token: token }, fresh)).errcode).toBe(0);
        fresh.advance(1_000);
        expect(await verify(old, { access_token: token }, fresh)).toEqual({
          errcode: 10001000,
          errmsg: expect.stringMatching(/^code过期, rid: /),
        });

        fresh.advance(2 * HOUR);
        const late = fresh.identityCode({ user: 'alice', appid: DONUT });
        expect(await verify(late, { access_token: token }, fresh)).toMatchObject({
          errcode: 42001,
        });
        expect((await verify(late, {}, fresh)).errcode).toBe(0);
      } finally {
        await fresh.close();
      }
    });

    it('blocks a high-risk user (40226), the code used up', async () => {
      wx.setHighRisk('alice', true);
      const code = wx.identityCode({ user: 'alice', appid: DONUT });
      expect(await verify(code)).toEqual({
        errcode: 40226,
        errmsg: expect.stringMatching(/^code blocked, rid: /),
      });
      wx.setHighRisk('alice', false);
      expect(await verify(code)).toMatchObject({ errcode: 10001001 });
      expect((await verify(wx.identityCode({ user: 'alice', appid: DONUT }))).errcode).toBe(0);
    });

    it('refuses a code minted before its mobile app was taken away', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const code = fresh.identityCode({ user: 'alice', appid: DONUT });
        fresh.removeApp(MOBILE);
        expect(await verify(code, {}, fresh)).toEqual({
          errcode: 10001002,
          errmsg: expect.stringMatching(/^appid错误, the bound mobile app is gone, rid: /),
        });
        expect(() => fresh.identityCode({ user: 'alice', appid: DONUT })).toThrow(
          `needs its mobile app '${MOBILE}' registered as a mobileApp`,
        );
      } finally {
        await fresh.close();
      }
    });

    it('forgets the codes of a multi-end app taken away', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const code = fresh.identityCode({ user: 'alice', appid: DONUT });
        const token = await appTokenOf(DONUT, fresh);
        const secret = fresh.app(DONUT).secret;
        fresh.removeApp(DONUT);
        fresh.addApp({ appid: DONUT, secret, kind: 'multiEndApp', mobileAppid: MOBILE });
        const newToken = await appTokenOf(DONUT, fresh);
        expect(newToken).not.toBe(token);
        expect(await verify(code, { access_token: newToken }, fresh)).toMatchObject({
          errcode: 10001001,
        });
      } finally {
        await fresh.close();
      }
    });
  });

  describe('faults and stats', () => {
    it('answers faults injected on code2verifyinfo, without using the code', async () => {
      expect(() => wx.inject({ type: 'http500' }, { endpoint: 'code2verifyinfo' })).not.toThrow();
      wx.clearFaults();
      const code = wx.identityCode({ user: 'bob', appid: DONUT });
      const token = await appTokenOf(DONUT);
      const url = `${wx.url}/donut/code2verifyinfo?${new URLSearchParams({
        access_token: token,
        appid: DONUT,
        appsecret: wx.app(DONUT).secret,
        code,
        grant_type: 'authorization_code',
      })}`;

      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'code2verifyinfo' });
      // The fault waits for its own endpoint.
      expect((await appLogin('bob')).openid).toBe(wx.openidOf('bob', MOBILE));
      expect(await fetch(url).then(answer)).toEqual({
        errcode: -1,
        errmsg: expect.stringMatching(/^system error, rid: /),
      });
      wx.inject({ type: 'http500' }, { endpoint: 'code2verifyinfo' });
      expect((await fetch(url)).status).toBe(500);
      wx.inject({ type: 'reset' }, { endpoint: 'code2verifyinfo' });
      await expect(fetch(url)).rejects.toThrow();
      wx.inject({ type: 'delay', ms: 120 }, { endpoint: 'code2verifyinfo' });
      const started = performance.now();
      expect((await fetch(url).then(answer)).errcode).toBe(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('counts code2verifyinfo and the exchanges of mobile codes', async () => {
      wx.resetStats();
      await appLogin('alice');
      await verify(wx.identityCode({ user: 'alice', appid: DONUT }));
      await fetch(`${wx.url}/donut/code2verifyinfo`, { method: 'POST' });
      expect(wx.stats.requests).toMatchObject({
        access_token: 1,
        stable_token: 1,
        code2verifyinfo: 2,
        jscode2session: 0,
        not_found: 0,
      });
    });
  });

  describe('the native app stand-in for a demo page (sandbox only)', () => {
    const { helper, postJson, json } = browserHelperClient(() => wx.url, '/sandbox/app/');
    const USERS = [
      { key: 'alice', nickname: 'Alice' },
      { key: 'bob', nickname: '小明 🐼' },
      { key: 'carol', nickname: 'Carol' },
      { key: 'snap', nickname: '微信用户' },
    ];

    it("lists a mobile app's users, and a multi-end app's, as key and nickname", async () => {
      expect(await json(await helper(`users?appid=${MOBILE}`), 200)).toEqual(USERS);
      expect(await json(await helper(`users?appid=${DONUT}`), 200)).toEqual(USERS);
    });

    it("plays the OpenSDK's login: a code the server exchanges with the mobile app's secret, the state unchanged", async () => {
      const state = 'a1b2-c3 d4/é';
      const resp = await json(await postJson('login', { appid: MOBILE, user: 'bob', state }), 200);
      expect(resp).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9]{32}$/), state });
      const token = await exchange(resp.code);
      expect(token).toMatchObject({
        openid: wx.openidOf('bob', MOBILE),
        unionid: wx.unionidOf('bob', WEB),
        scope: 'snsapi_userinfo',
      });
      // Single use, as the facade's.
      expect((await exchange(resp.code)).errcode).toBe(40163);

      const bare = await json(await postJson('login', { appid: LONE_MOBILE, user: 'carol' }), 200);
      expect(Object.keys(bare)).toEqual(['code']);
      const lone = await exchange(bare.code, LONE_MOBILE);
      expect(lone.openid).toBe(wx.openidOf('carol', LONE_MOBILE));
      expect(lone).not.toHaveProperty('unionid');
    });

    it("mints a multi-end app's wx.weixinAppLogin() code, which code2verifyinfo answers as its mobile app's user", async () => {
      const { code, ...rest } = await json(
        await postJson('identity-code', { appid: DONUT, user: 'carol' }),
        200,
      );
      expect(rest).toEqual({});
      const body = await verify(code);
      expect(body.user_info.openapp_info).toMatchObject({
        appid: MOBILE,
        openid: wx.openidOf('carol', MOBILE),
        unionid: wx.unionidOf('carol', WEB),
      });
      expect((await verify(code)).errcode).toBe(10001001);
    });

    it('answers the CORS preflight of a JSON POST from another origin', async () => {
      for (const path of ['login', 'identity-code', 'users']) {
        const res = await helper(path, {
          method: 'OPTIONS',
          headers: {
            origin: 'http://demo.test:3000',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        expect(res.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
        expect(res.headers.get('access-control-allow-headers')).toMatch(/\bcontent-type\b/i);
        expect(await res.text()).toBe('');
      }
    });

    it.each<[string, () => Promise<Response>, RegExp]>([
      ['users without an appid', () => helper('users'), /appid is required/],
      ['users of a website app', () => helper(`users?appid=${WEB}`), /not a mobile or multi-end/],
      ['users of a mini-program', () => helper(`users?appid=${MINI}`), /not a mobile or multi-end/],
      ['users of an unknown app', () => helper('users?appid=wx0nobody'), /no app/],
      ['login with a body that is not JSON', () => postJson('login', '{appid'), /JSON object/],
      ['login with a JSON array', () => postJson('login', '[]'), /JSON object/],
      ['login without an appid', () => postJson('login', { user: 'alice' }), /appid/],
      [
        "login with a multi-end app's appid",
        () => postJson('login', { appid: DONUT, user: 'alice' }),
        /not a mobile app/,
      ],
      [
        "login with a website app's appid",
        () => postJson('login', { appid: WEB, user: 'alice' }),
        /not a mobile app/,
      ],
      [
        'login for an unknown user',
        () => postJson('login', { appid: MOBILE, user: 'nobody' }),
        /user/,
      ],
      ['login without a user', () => postJson('login', { appid: MOBILE }), /user/],
      [
        'login with a state that is no string',
        () => postJson('login', { appid: MOBILE, user: 'alice', state: 7 }),
        /state must be a string/,
      ],
      [
        "identity-code with a mobile app's appid",
        () => postJson('identity-code', { appid: MOBILE, user: 'alice' }),
        /not a multi-end app/,
      ],
      [
        'identity-code for an unknown user',
        () => postJson('identity-code', { appid: DONUT, user: 'nobody' }),
        /user/,
      ],
      [
        'identity-code with a body over the limit',
        () => postJson('identity-code', { appid: DONUT, user: 'alice', pad: 'x'.repeat(70_000) }),
        /JSON object/,
      ],
    ])('refuses %s with a 400', async (_, send, error) => {
      const body = await json(await send(), 400);
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatch(error);
    });

    it('refuses a multi-end app whose mobile app is not registered with a 400, as the facade throws', async () => {
      const dangling = wx.addApp({
        appid: 'wx0dangling0donut',
        kind: 'multiEndApp',
        mobileAppid: 'wx0missing0mobile',
      });
      try {
        const body = await json(
          await postJson('identity-code', { appid: dangling.appid, user: 'alice' }),
          400,
        );
        expect(body).toEqual({ error: "the multi-end app's mobile app is not registered" });
        expect(() => wx.identityCode({ user: 'alice', appid: dangling.appid })).toThrow(
          'registered as a mobileApp',
        );
      } finally {
        wx.removeApp(dangling.appid);
      }
    });

    it('refuses the wrong method with a 405', async () => {
      const get = await helper('login');
      expect(get.headers.get('allow')).toBe('POST');
      expect((await json(get, 405)).error).toMatch(/POST/);
      expect((await json(await helper('identity-code'), 405)).error).toMatch(/POST/);
      const post = await postJson('users', {});
      expect(post.headers.get('allow')).toBe('GET');
      expect((await json(post, 405)).error).toMatch(/GET/);
    });

    it("counts the helpers' requests, and keeps WeChat's latency and faults away from them", async () => {
      wx.resetStats();
      // A fault for any endpoint waits for WeChat's back channel: the helpers are not WeChat's.
      wx.inject({ type: 'http500' });
      await helper(`users?appid=${MOBILE}`);
      const { code } = await json(await postJson('login', { appid: MOBILE, user: 'alice' }), 200);
      await json(await postJson('identity-code', { appid: DONUT, user: 'alice' }), 200);
      await helper('identity-code', { method: 'OPTIONS' });
      expect(wx.stats.requests).toMatchObject({
        app_users: 1,
        app_login: 1,
        app_identity_code: 2,
        access_token: 0,
        code2verifyinfo: 0,
      });
      const faulted = await fetch(
        `${wx.url}/sns/oauth2/access_token?${new URLSearchParams({
          appid: MOBILE,
          secret: wx.app(MOBILE).secret,
          code,
          grant_type: 'authorization_code',
        })}`,
      );
      expect(faulted.status).toBe(500);
      expect(() => wx.inject({ type: 'http500' }, { endpoint: 'app_login' as never })).toThrow(
        "unknown endpoint 'app_login'",
      );
    });
  });
});
