import { createDecipheriv, createHash } from 'node:crypto';
import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';
import { RID, browserHelperClient, wxAnswer as answer } from './wx-sandbox.spec-helper.js';

type Body = Record<string, any>;

const MP = 'wx0official0account';
const MINI = 'wx0mini0program';
const LONE_MINI = 'wx0unbound0mini';
const WEB = 'wx0website0app';
const APPS: WxSandboxApp[] = [
  {
    appid: MP,
    secret: 'mp-secret-0123456789abcdef',
    kind: 'officialAccount',
    openPlatform: 'acme',
  },
  {
    appid: MINI,
    secret: 'mini-secret-0123456789abcdef',
    kind: 'miniProgram',
    openPlatform: 'acme',
    name: 'Acme 小程序',
  },
  { appid: LONE_MINI, kind: 'miniProgram' },
  { appid: WEB, kind: 'website', openPlatform: 'acme' },
];
const FIVE_MINUTES = 5 * 60 * 1000;
const HOUR = 3600 * 1000;
const CALLBACK = 'https://app.test/auth/wechat/callback';

/** What a server does with open data: AES-128-CBC under the decoded session_key. */
const decrypt = (encryptedData: string, iv: string, sessionKey: string): Body => {
  const decipher = createDecipheriv(
    'aes-128-cbc',
    Buffer.from(sessionKey, 'base64'),
    Buffer.from(iv, 'base64'),
  );
  const plain = Buffer.concat([
    decipher.update(Buffer.from(encryptedData, 'base64')),
    decipher.final(),
  ]);
  return JSON.parse(plain.toString('utf8')) as Body;
};
const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

describe('WxSandbox mini-programs', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({ apps: APPS });
  });
  afterAll(() => wx.close());
  afterEach(() => wx.clearFaults());

  const code2Session = (params: Record<string, string>, sandbox = wx): Promise<Body> =>
    fetch(`${sandbox.url}/sns/jscode2session?${new URLSearchParams(params)}`).then(answer);
  const redeem = (jsCode: string, appid = MINI, sandbox = wx): Promise<Body> =>
    code2Session(
      {
        appid,
        secret: sandbox.app(appid).secret,
        js_code: jsCode,
        grant_type: 'authorization_code',
      },
      sandbox,
    );
  const login = (userKey: string, appid = MINI): Promise<Body> =>
    redeem(wx.wxLogin(userKey, appid), appid);
  const post = (
    path: string,
    body: unknown,
    query: Record<string, string> = {},
    sandbox = wx,
  ): Promise<Body> =>
    fetch(`${sandbox.url}${path}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(answer);
  const tokenOf = async (appid = MINI, sandbox = wx): Promise<string> => {
    const token = await post(
      '/cgi-bin/stable_token',
      { grant_type: 'client_credential', appid, secret: sandbox.app(appid).secret },
      {},
      sandbox,
    );
    expect(typeof token.access_token).toBe('string');
    return String(token.access_token);
  };
  const phoneNumber = (accessToken: string, code: unknown, sandbox = wx): Promise<Body> =>
    post('/wxa/business/getuserphonenumber', { code }, { access_token: accessToken }, sandbox);

  describe('the model', () => {
    it('registers mini-programs with no browser scope, and an openid per app', () => {
      expect(wx.app(MINI)).toMatchObject({
        kind: 'miniProgram',
        openPlatform: 'acme',
        name: 'Acme 小程序',
        scopes: [],
      });
      expect(wx.app(LONE_MINI)).toMatchObject({ kind: 'miniProgram', openPlatform: undefined });
      const openids = APPS.map(({ appid }) => wx.openidOf('alice', appid));
      expect(new Set(openids).size).toBe(APPS.length);
      expect(wx.unionidOf('alice', MINI)).toBe(wx.unionidOf('alice', MP));
      expect(wx.unionidOf('bob', MINI)).not.toBe(wx.unionidOf('alice', MINI));
      expect(wx.unionidOf('alice', LONE_MINI)).toBeUndefined();
    });

    it('gives the default users distinct mainland numbers, and the snapshot user none', () => {
      const phones = Object.fromEntries(
        wx.users.map((user) => [user.key, [user.phoneNumber, user.countryCode]]),
      );
      expect(phones).toEqual({
        alice: ['13800138000', '86'],
        bob: ['13900139000', '86'],
        carol: ['13700137000', '86'],
        snap: [undefined, undefined],
      });
    });

    it('mints codes for mini-programs only, and for known users only', () => {
      expect(wx.wxLogin('alice', MINI)).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(wx.phoneCode('alice', MINI)).toMatch(/^[0-9a-f]{64}$/);
      expect(wx.wxLogin('alice', MINI)).not.toBe(wx.wxLogin('alice', MINI));
      expect(() => wx.wxLogin('alice', MP)).toThrow(
        `WxSandbox: app '${MP}' (official account) is not a mini-program`,
      );
      expect(() => wx.phoneCode('alice', WEB)).toThrow('(website app) is not a mini-program');
      expect(() => wx.wxLogin('nobody', MINI)).toThrow("no user with key 'nobody'");
      expect(() => wx.wxLogin('alice', 'wx0nobody')).toThrow("no app with appid 'wx0nobody'");
      expect(() => wx.sessionKeyOf('alice', MP)).toThrow('is not a mini-program');
      expect(() => wx.setHighRisk('nobody', true)).toThrow("no user with key 'nobody'");
    });

    it('refuses to mint a browser code for a mini-program', () => {
      expect(() => wx.issueCode('alice', 'snsapi_base', MINI)).toThrow(
        `WxSandbox: app '${MINI}' (mini-program) has no scope 'snsapi_base'`,
      );
    });

    it.each<[string, Parameters<typeof WxSandbox.start>[0], string]>([
      [
        'an unknown kind',
        { apps: [{ appid: 'wx1', kind: 'miniapp' as 'miniProgram' }] },
        "needs kind 'officialAccount', 'website', 'miniProgram', 'mobileApp' or 'multiEndApp'",
      ],
      ['a negative miniCodeTtlMs', { miniCodeTtlMs: -1 }, 'miniCodeTtlMs must be a number >= 0'],
      [
        'a phone number with letters',
        { users: [{ key: 'u', nickname: 'U', phoneNumber: '138-0013' }] },
        "user 'u' needs a phoneNumber of 5 to 15 digits",
      ],
      [
        'a country code without a number',
        { users: [{ key: 'u', nickname: 'U', countryCode: '852' }] },
        "user 'u' has a countryCode but no phoneNumber",
      ],
      [
        'a country code with a plus',
        { users: [{ key: 'u', nickname: 'U', phoneNumber: '51234567', countryCode: '+852' }] },
        "user 'u' needs a countryCode of 1 to 4 digits",
      ],
    ])('refuses %s', async (_, options, message) => {
      await expect(WxSandbox.start(options)).rejects.toThrow(message);
    });
  });

  describe('/sns/jscode2session', () => {
    it("answers a bound mini-program's user with their openid, a session_key and the shared unionid", async () => {
      const session = await login('alice');
      expect(Object.keys(session).sort()).toEqual(['openid', 'session_key', 'unionid']);
      expect(session.openid).toBe(wx.openidOf('alice', MINI));
      expect(session.openid).not.toBe(wx.openidOf('alice', MP));
      expect(session.unionid).toBe(wx.unionidOf('alice', MP));
      expect(session.session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(session.session_key, 'base64')).toHaveLength(16);
      expect(wx.sessionKeyOf('alice', MINI)).toBe(session.session_key);
    });

    it('sends no unionid from an unbound mini-program, and its own openid', async () => {
      const session = await login('alice', LONE_MINI);
      expect(Object.keys(session).sort()).toEqual(['openid', 'session_key']);
      expect(session.openid).toBe(wx.openidOf('alice', LONE_MINI));
      expect(session.openid).not.toBe(wx.openidOf('alice', MINI));
    });

    it('answers a new session_key on each login; the latest is the one sessionKeyOf gives', async () => {
      const first = await login('bob');
      const second = await login('bob');
      expect(second.openid).toBe(first.openid);
      expect(second.session_key).not.toBe(first.session_key);
      expect(wx.sessionKeyOf('bob', MINI)).toBe(second.session_key);
      // One session per app: logging in elsewhere leaves this one alone.
      await login('bob', LONE_MINI);
      expect(wx.sessionKeyOf('bob', MINI)).toBe(second.session_key);
    });

    it("answers WeChat's errors, never echoing the secret or the code", async () => {
      const secret = wx.app(MINI).secret;
      const jsCode = wx.wxLogin('carol', MINI);
      const cases: Array<[Record<string, string>, number]> = [
        [{ secret, js_code: jsCode, grant_type: 'authorization_code' }, 41002],
        [{ appid: MINI, js_code: jsCode, grant_type: 'authorization_code' }, 41004],
        [{ appid: MINI, secret, grant_type: 'authorization_code' }, 41008],
        [
          { appid: MINI, secret: `${secret}x`, js_code: jsCode, grant_type: 'authorization_code' },
          40125,
        ],
        [
          {
            appid: MINI,
            secret: wx.app(LONE_MINI).secret,
            js_code: jsCode,
            grant_type: 'authorization_code',
          },
          40125,
        ],
        [{ appid: 'wx0nobody', secret, js_code: jsCode, grant_type: 'authorization_code' }, 40013],
        [{ appid: MINI, secret, js_code: jsCode, grant_type: 'client_credential' }, 40002],
        [{ appid: MINI, secret, js_code: 'unknown-code', grant_type: 'authorization_code' }, 40029],
      ];
      for (const [params, errcode] of cases) {
        const error = await code2Session(params);
        expect({ params, error }).toEqual({
          params,
          error: { errcode, errmsg: expect.stringMatching(RID) },
        });
        expect(JSON.stringify(error)).not.toContain(secret);
        expect(JSON.stringify(error)).not.toContain(jsCode);
      }
      // None of them used the code up.
      expect((await redeem(jsCode)).openid).toBe(wx.openidOf('carol', MINI));
    });

    it('refuses the appid of another kind of app, with its own secret, and says so', async () => {
      for (const [appid, kind] of [
        [MP, 'official account'],
        [WEB, 'website app'],
      ]) {
        const error = await code2Session({
          appid,
          secret: wx.app(appid).secret,
          js_code: wx.wxLogin('alice', MINI),
          grant_type: 'authorization_code',
        });
        expect(error).toEqual({
          errcode: 40013,
          errmsg: expect.stringMatching(
            new RegExp(`^invalid appid, not a mini-program \\(${kind}\\), rid: `),
          ),
        });
      }
    });

    it("refuses one mini-program's code at another (40029) and leaves it usable", async () => {
      const jsCode = wx.wxLogin('alice', LONE_MINI);
      expect(await redeem(jsCode, MINI)).toMatchObject({ errcode: 40029 });
      expect((await redeem(jsCode, LONE_MINI)).openid).toBe(wx.openidOf('alice', LONE_MINI));
    });

    it('takes a code once: a replay gets 40163 and leaves the session alone', async () => {
      const jsCode = wx.wxLogin('carol', MINI);
      const session = await redeem(jsCode);
      expect(session.openid).toBe(wx.openidOf('carol', MINI));
      const replay = await redeem(jsCode);
      expect(replay).toEqual({
        errcode: 40163,
        errmsg: expect.stringMatching(/^code been used, rid: /),
      });
      expect(wx.sessionKeyOf('carol', MINI)).toBe(session.session_key);
    });

    it('refuses a phone code as a js_code (40029)', async () => {
      expect(await redeem(wx.phoneCode('alice', MINI))).toMatchObject({ errcode: 40029 });
    });

    it('expires a code after 5 minutes of the sandbox clock (40029)', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const young = fresh.wxLogin('alice', MINI);
        const old = fresh.wxLogin('alice', MINI);
        fresh.advance(FIVE_MINUTES - 1000);
        expect((await redeem(young, MINI, fresh)).openid).toBe(fresh.openidOf('alice', MINI));
        fresh.advance(1000);
        expect(await redeem(old, MINI, fresh)).toMatchObject({ errcode: 40029 });
      } finally {
        await fresh.close();
      }
    });

    it('expires codes after miniCodeTtlMs', async () => {
      const fresh = await WxSandbox.start({ apps: APPS, miniCodeTtlMs: 10_000 });
      try {
        const jsCode = fresh.wxLogin('alice', MINI);
        const phone = fresh.phoneCode('alice', MINI);
        fresh.advance(10_000);
        expect(await redeem(jsCode, MINI, fresh)).toMatchObject({ errcode: 40029 });
        const token = await tokenOf(MINI, fresh);
        expect(await phoneNumber(token, phone, fresh)).toMatchObject({ errcode: 40029 });
      } finally {
        await fresh.close();
      }
    });

    it('blocks a high-risk user (40226), seeded or flagged later, the code used up', async () => {
      const fresh = await WxSandbox.start({
        apps: APPS,
        users: [
          { key: 'risky', nickname: 'R', highRisk: true },
          { key: 'fine', nickname: 'F' },
        ],
      });
      try {
        const blocked = await redeem(fresh.wxLogin('risky', MINI), MINI, fresh);
        expect(blocked).toEqual({ errcode: 40226, errmsg: expect.stringMatching(RID) });
        expect(fresh.sessionKeyOf('risky', MINI)).toBeUndefined();

        expect((await redeem(fresh.wxLogin('fine', MINI), MINI, fresh)).openid).toBeDefined();
        fresh.setHighRisk('fine', true);
        const jsCode = fresh.wxLogin('fine', LONE_MINI);
        expect(await redeem(jsCode, LONE_MINI, fresh)).toMatchObject({ errcode: 40226 });
        fresh.setHighRisk('fine', false);
        expect(await redeem(jsCode, LONE_MINI, fresh)).toMatchObject({ errcode: 40163 });
        expect((await redeem(fresh.wxLogin('fine', LONE_MINI), LONE_MINI, fresh)).openid).toBe(
          fresh.openidOf('fine', LONE_MINI),
        );
      } finally {
        await fresh.close();
      }
    });
  });

  describe("the user's data, under the session_key", () => {
    it('signs rawData as sha1(rawData + session_key), with the latest session only', async () => {
      const rawData = JSON.stringify({ nickName: '小明 🐼', avatarUrl: '' });
      const first = await login('bob');
      const signature = wx.signUserData('bob', MINI, rawData);
      expect(signature).toMatch(/^[0-9a-f]{40}$/);
      expect(signature).toBe(sha1(rawData + first.session_key));
      expect(signature).not.toBe(sha1(`${rawData} ` + first.session_key));

      const second = await login('bob');
      const resigned = wx.signUserData('bob', MINI, rawData);
      expect(resigned).toBe(sha1(rawData + second.session_key));
      expect(resigned).not.toBe(signature);
    });

    it('encrypts data with a watermark of the appid and the sandbox time', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const session = await redeem(fresh.wxLogin('alice', MINI), MINI, fresh);
        fresh.advance(HOUR);
        const sealed = fresh.encryptUserData('alice', MINI, {
          stepInfoList: [{ timestamp: 1, step: 100 }],
          watermark: { appid: 'forged', timestamp: 0 },
        });
        expect(Object.keys(sealed).sort()).toEqual(['encryptedData', 'iv']);
        expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(16);
        const data = decrypt(sealed.encryptedData, sealed.iv, session.session_key);
        expect(data).toEqual({
          stepInfoList: [{ timestamp: 1, step: 100 }],
          watermark: { appid: MINI, timestamp: expect.any(Number) },
        });
        expect(Math.abs(data.watermark.timestamp - fresh.now() / 1000)).toBeLessThan(2);
        expect(data.watermark.timestamp - Date.now() / 1000).toBeGreaterThan(3590);

        const again = fresh.encryptUserData('alice', MINI, { a: 1 });
        expect(again.iv).not.toBe(sealed.iv);
        const next = await redeem(fresh.wxLogin('alice', MINI), MINI, fresh);
        const resealed = fresh.encryptUserData('alice', MINI, { a: 1 });
        expect(decrypt(resealed.encryptedData, resealed.iv, next.session_key).a).toBe(1);
        // The old key cannot open it (bad padding or garbage).
        expect(() => decrypt(resealed.encryptedData, resealed.iv, session.session_key)).toThrow();
      } finally {
        await fresh.close();
      }
    });

    it('throws before the first login, and for data that is no object', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        expect(fresh.sessionKeyOf('carol', MINI)).toBeUndefined();
        expect(() => fresh.signUserData('carol', MINI, '{}')).toThrow(
          `WxSandbox: user 'carol' has no session with '${MINI}' yet`,
        );
        expect(() => fresh.encryptUserData('carol', MINI, {})).toThrow('has no session');
        await redeem(fresh.wxLogin('carol', MINI), MINI, fresh);
        expect(() => fresh.signUserData('carol', LONE_MINI, '{}')).toThrow('has no session');
        expect(() => fresh.encryptUserData('carol', MINI, [1] as object)).toThrow(
          'encryptUserData() takes a plain object',
        );
      } finally {
        await fresh.close();
      }
    });
  });

  describe('/wxa/business/getuserphonenumber', () => {
    it("answers the number behind a phone code, with the mini-program's own app token", async () => {
      const before = wx.appTokensIssued(MINI);
      const token = await tokenOf(MINI);
      expect(token).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(wx.appTokensIssued(MINI)).toBe(before + 1);
      expect(await tokenOf(MINI)).toBe(token);
      expect(await tokenOf(MP)).not.toBe(token);

      const answerBody = await phoneNumber(token, wx.phoneCode('alice', MINI));
      expect(answerBody).toEqual({
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: '13800138000',
          purePhoneNumber: '13800138000',
          countryCode: '86',
          watermark: { timestamp: expect.any(Number), appid: MINI },
        },
      });
      expect(Math.abs(answerBody.phone_info.watermark.timestamp - wx.now() / 1000)).toBeLessThan(2);
      expect((await phoneNumber(token, wx.phoneCode('bob', MINI))).phone_info.purePhoneNumber).toBe(
        '13900139000',
      );
    });

    it('takes a phone code once: a used one gets 40029', async () => {
      const token = await tokenOf(MINI);
      const code = wx.phoneCode('carol', MINI);
      expect((await phoneNumber(token, code)).phone_info.phoneNumber).toBe('13700137000');
      expect(await phoneNumber(token, code)).toEqual({
        errcode: 40029,
        errmsg: expect.stringMatching(/^invalid code, rid: /),
      });
    });

    it("refuses another app's token (40001) and another mini-program's code (40029), leaving the code usable", async () => {
      const code = wx.phoneCode('alice', MINI);
      expect(await phoneNumber(await tokenOf(MP), code)).toEqual({
        errcode: 40001,
        errmsg: expect.stringMatching(RID),
      });
      expect(await phoneNumber(await tokenOf(LONE_MINI), code)).toMatchObject({ errcode: 40029 });
      expect((await phoneNumber(await tokenOf(MINI), code)).errcode).toBe(0);
    });

    it('refuses bad, missing and expired tokens and bad bodies', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const token = await tokenOf(MINI, fresh);
        const code = fresh.phoneCode('alice', MINI);
        expect(await phoneNumber('nope', code, fresh)).toMatchObject({ errcode: 40001 });
        const post = (query: string, body: string): Promise<Body> =>
          fetch(`${fresh.url}/wxa/business/getuserphonenumber${query}`, {
            method: 'POST',
            body,
          }).then(answer);
        expect(await post('', JSON.stringify({ code }))).toMatchObject({ errcode: 41001 });
        expect(await post(`?access_token=${token}`, '{not json')).toMatchObject({ errcode: 47001 });
        expect(await post(`?access_token=${token}`, '{}')).toMatchObject({ errcode: 41008 });
        expect(await phoneNumber(token, 42, fresh)).toMatchObject({ errcode: 41008 });
        expect(await phoneNumber(token, 'unknown', fresh)).toMatchObject({ errcode: 40029 });
        expect(await phoneNumber(token, fresh.wxLogin('alice', MINI), fresh)).toMatchObject({
          errcode: 40029,
        });
        const get = await fetch(
          `${fresh.url}/wxa/business/getuserphonenumber?access_token=${token}`,
        ).then(answer);
        expect(get).toMatchObject({ errcode: 43002 });

        // None of them used the code up.
        expect((await phoneNumber(token, code, fresh)).errcode).toBe(0);

        fresh.advance(2 * HOUR);
        const late = fresh.phoneCode('alice', MINI);
        expect(await phoneNumber(token, late, fresh)).toMatchObject({ errcode: 42001 });
        expect((await phoneNumber(await tokenOf(MINI, fresh), late, fresh)).errcode).toBe(0);
      } finally {
        await fresh.close();
      }
    });

    it('refuses the code of a user without a number (40029)', async () => {
      const error = await phoneNumber(await tokenOf(MINI), wx.phoneCode('snap', MINI));
      expect(error).toEqual({
        errcode: 40029,
        errmsg: expect.stringMatching(/^invalid code, the user has no phone number, rid: /),
      });
    });

    it('answers a number outside the mainland with its country code', async () => {
      const fresh = await WxSandbox.start({
        apps: APPS,
        users: [{ key: 'hk', nickname: 'HK', phoneNumber: '51234567', countryCode: '852' }],
      });
      try {
        const info = await phoneNumber(
          await tokenOf(MINI, fresh),
          fresh.phoneCode('hk', MINI),
          fresh,
        );
        expect(info.phone_info).toMatchObject({
          phoneNumber: '+85251234567',
          purePhoneNumber: '51234567',
          countryCode: '852',
        });
      } finally {
        await fresh.close();
      }
    });

    it("keeps the official account's API from a mini-program's token (48001)", async () => {
      const token = await tokenOf(MINI);
      const qr = await post(
        '/cgi-bin/qrcode/create',
        { action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 's' } } },
        { access_token: token },
      );
      expect(qr).toEqual({ errcode: 48001, errmsg: expect.stringMatching(RID) });
      const info = await fetch(
        `${wx.url}/cgi-bin/user/info?${new URLSearchParams({ access_token: token, openid: wx.openidOf('alice', MINI) })}`,
      ).then(answer);
      expect(info).toMatchObject({ errcode: 48001 });
      expect(() => wx.setFollowing('alice', MINI, true)).toThrow(
        '(mini-program) is no official account',
      );
    });
  });

  describe('faults and stats', () => {
    it('answers injected errcodes, 45011 among them, without using the code', async () => {
      const jsCode = wx.wxLogin('alice', MINI);
      wx.inject({ type: 'errcode', errcode: 45011 }, { endpoint: 'jscode2session' });
      expect(await redeem(jsCode)).toEqual({
        errcode: 45011,
        errmsg: expect.stringMatching(/^api minute-quota reach limit, rid: /),
      });
      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'jscode2session' });
      expect(await redeem(jsCode)).toMatchObject({ errcode: -1 });
      expect((await redeem(jsCode)).openid).toBe(wx.openidOf('alice', MINI));

      const token = await tokenOf(MINI);
      const code = wx.phoneCode('alice', MINI);
      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'getuserphonenumber' });
      expect(await phoneNumber(token, code)).toMatchObject({ errcode: -1 });
      expect((await phoneNumber(token, code)).errcode).toBe(0);
    });

    it('targets each endpoint alone with http500, nonJson, reset and delay', async () => {
      const token = await tokenOf(MINI);
      const phoneUrl = `${wx.url}/wxa/business/getuserphonenumber?access_token=${token}`;
      const sessionUrl = (jsCode: string): string =>
        `${wx.url}/sns/jscode2session?${new URLSearchParams({
          appid: MINI,
          secret: wx.app(MINI).secret,
          js_code: jsCode,
          grant_type: 'authorization_code',
        })}`;
      const postPhone = (code: string): Promise<Response> =>
        fetch(phoneUrl, { method: 'POST', body: JSON.stringify({ code }) });

      wx.inject({ type: 'http500' }, { endpoint: 'getuserphonenumber' });
      // The fault waits for its own endpoint.
      expect((await redeem(wx.wxLogin('bob', MINI))).openid).toBeDefined();
      expect((await postPhone(wx.phoneCode('bob', MINI))).status).toBe(500);

      wx.inject({ type: 'nonJson' }, { endpoint: 'jscode2session' });
      const page = await fetch(sessionUrl(wx.wxLogin('bob', MINI)));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('502 Bad Gateway');

      wx.inject({ type: 'reset' }, { endpoint: 'jscode2session' });
      await expect(fetch(sessionUrl(wx.wxLogin('bob', MINI)))).rejects.toThrow();
      wx.inject({ type: 'reset' }, { endpoint: 'getuserphonenumber' });
      await expect(postPhone(wx.phoneCode('bob', MINI))).rejects.toThrow();

      wx.inject({ type: 'delay', ms: 120 }, { endpoint: 'getuserphonenumber' });
      let started = performance.now();
      expect((await answer(await postPhone(wx.phoneCode('bob', MINI)))).errcode).toBe(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
      wx.inject({ type: 'delay', ms: 120 }, { endpoint: 'jscode2session' });
      started = performance.now();
      expect((await login('bob')).openid).toBe(wx.openidOf('bob', MINI));
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('counts requests to the endpoints and the helpers', async () => {
      wx.resetStats();
      const token = await tokenOf(MINI);
      await login('alice');
      await phoneNumber(token, wx.phoneCode('alice', MINI));
      await fetch(`${wx.url}/sandbox/miniprogram/users?appid=${MINI}`);
      await fetch(`${wx.url}/sandbox/miniprogram/login`, {
        method: 'POST',
        body: JSON.stringify({ appid: MINI, user: 'alice' }),
      });
      await fetch(`${wx.url}/sandbox/miniprogram/phone-code`, { method: 'OPTIONS' });
      expect(wx.stats.requests).toMatchObject({
        stable_token: 1,
        jscode2session: 1,
        getuserphonenumber: 1,
        mini_users: 1,
        mini_login: 1,
        mini_phone_code: 1,
        access_token: 0,
      });
    });
  });

  describe('the mini-program stand-in for a demo page (sandbox only)', () => {
    const { helper, postJson, json } = browserHelperClient(() => wx.url, '/sandbox/miniprogram/');

    it("lists a mini-program's users and whether each has a phone number", async () => {
      const users = await json(await helper(`users?appid=${MINI}`), 200);
      expect(users).toEqual([
        { key: 'alice', nickname: 'Alice', hasPhone: true },
        { key: 'bob', nickname: '小明 🐼', hasPhone: true },
        { key: 'carol', nickname: 'Carol', hasPhone: true },
        { key: 'snap', nickname: '微信用户', hasPhone: false },
      ]);
    });

    it('mints a js_code the server redeems at jscode2session, as wx.login() does', async () => {
      const { code } = await json(await postJson('login', { appid: MINI, user: 'bob' }), 200);
      expect(code).toMatch(/^[A-Za-z0-9]{32}$/);
      const session = await redeem(code);
      expect(session).toMatchObject({
        openid: wx.openidOf('bob', MINI),
        unionid: wx.unionidOf('bob', MP),
      });
    });

    it('mints a phone code the server redeems at getuserphonenumber', async () => {
      const { code } = await json(
        await postJson('phone-code', { appid: MINI, user: 'carol' }),
        200,
      );
      const info = await phoneNumber(await tokenOf(MINI), code);
      expect(info.phone_info.purePhoneNumber).toBe('13700137000');
    });

    it('answers the CORS preflight of a JSON POST from another origin', async () => {
      for (const path of ['login', 'phone-code', 'users']) {
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
      ['users without an appid', () => helper('users'), /appid/],
      ['users of an official account', () => helper(`users?appid=${MP}`), /not a mini-program/],
      ['users of an unknown app', () => helper('users?appid=wx0nobody'), /no app/],
      ['login with a body that is not JSON', () => postJson('login', '{appid'), /JSON object/],
      ['login with a JSON array', () => postJson('login', '[]'), /JSON object/],
      [
        'login with a website appid',
        () => postJson('login', { appid: WEB, user: 'alice' }),
        /not a mini-program/,
      ],
      [
        'login for an unknown user',
        () => postJson('login', { appid: MINI, user: 'nobody' }),
        /user/,
      ],
      ['login without a user', () => postJson('login', { appid: MINI }), /user/],
      ['phone-code without an appid', () => postJson('phone-code', { user: 'alice' }), /appid/],
      [
        'phone-code with a body over the limit',
        () => postJson('phone-code', { appid: MINI, user: 'alice', pad: 'x'.repeat(70_000) }),
        /JSON object/,
      ],
    ])('refuses %s with a 400', async (_, send, error) => {
      const body = await json(await send(), 400);
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatch(error);
    });

    it('refuses the wrong method with a 405', async () => {
      const get = await json(await helper('login'), 405);
      expect(get.error).toMatch(/POST/);
      const post = await json(await postJson('users', {}), 405);
      expect(post.error).toMatch(/GET/);
    });
  });

  describe('the browser login pages', () => {
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

    it("refuse a mini-program's appid with WeChat's error page, never a redirect", async () => {
      wx.setAutoApprove('alice');
      try {
        for (const [path, scope, message] of [
          ['/connect/oauth2/authorize', 'snsapi_base', '此公众号并没有这些scope的权限'],
          ['/connect/oauth2/authorize', 'snsapi_userinfo', '此公众号并没有这些scope的权限'],
          ['/connect/qrconnect', 'snsapi_login', 'Scope 参数错误或没有 Scope 权限'],
          ['/connect/sandbox/scan', 'snsapi_login', 'Scope 参数错误或没有 Scope 权限'],
        ]) {
          const res = await open(path, MINI, scope);
          expect(res.status).toBe(400);
          expect(res.headers.get('location')).toBeNull();
          const html = await res.text();
          expect(html).toContain('data-errcode="10005"');
          expect(html).toContain(`<h1>${message}</h1>`);
        }
        const frame = await fetch(
          `${wx.url}/connect/qrconnect?${new URLSearchParams({
            appid: MINI,
            scope: 'snsapi_login',
            redirect_uri: CALLBACK,
            login_type: 'jssdk',
          })}`,
          { redirect: 'manual' },
        );
        expect(frame.status).toBe(400);
      } finally {
        wx.setAutoApprove(false);
      }
    });
  });
});
