import { WxSandbox } from './wx-sandbox.js';
import type { WxSandboxApp } from './model/sandbox-apps.js';
import { RID, wxAnswer as answer } from './wx-sandbox.spec-helper.js';

type Body = Record<string, any>;

const MP = 'wx0official0account';
const LONE = 'wx0unbound0account';
const WEB = 'wx0website0app';
const APPS: WxSandboxApp[] = [
  {
    appid: MP,
    secret: 'mp-secret-0123456789abcdef',
    kind: 'officialAccount',
    openPlatform: 'acme',
  },
  { appid: LONE, secret: 'lone-secret-0123456789abcdef', kind: 'officialAccount' },
  { appid: WEB, secret: 'web-secret-0123456789abcdef', kind: 'website', openPlatform: 'acme' },
];
const HOUR = 3600 * 1000;

describe('WxSandbox official account API', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start({ apps: APPS });
  });
  afterAll(() => wx.close());
  afterEach(() => wx.clearFaults());

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
  const stableToken = (appid = MP, extra: Body = {}, sandbox = wx): Promise<Body> =>
    post(
      '/cgi-bin/stable_token',
      { grant_type: 'client_credential', appid, secret: sandbox.app(appid).secret, ...extra },
      {},
      sandbox,
    );
  const tokenOf = async (appid = MP): Promise<string> =>
    String((await stableToken(appid)).access_token);
  const createQr = async (body: Body, accessToken?: string): Promise<Body> =>
    post('/cgi-bin/qrcode/create', body, { access_token: accessToken ?? (await tokenOf()) });
  const strScene = (scene: string, expireSeconds?: number): Body => ({
    ...(expireSeconds === undefined ? {} : { expire_seconds: expireSeconds }),
    action_name: 'QR_STR_SCENE',
    action_info: { scene: { scene_str: scene } },
  });
  const userInfo = (accessToken: string, openid: string, lang = 'zh_CN'): Promise<Body> =>
    fetch(
      `${wx.url}/cgi-bin/user/info?${new URLSearchParams({ access_token: accessToken, openid, lang })}`,
    ).then(answer);

  describe('apps', () => {
    it('gives each app an original id, gh_ and 12 hex, stable per appid', async () => {
      const again = await WxSandbox.start({ apps: APPS });
      try {
        for (const app of wx.apps) expect(app.originalId).toMatch(/^gh_[0-9a-f]{12}$/);
        expect(new Set(wx.apps.map((app) => app.originalId)).size).toBe(APPS.length);
        expect(again.app(MP).originalId).toBe(wx.app(MP).originalId);
      } finally {
        await again.close();
      }
    });

    it('holds followers and push settings for official accounts only', () => {
      expect(() => wx.setFollowing('alice', WEB, true)).toThrow(/official account/);
      expect(() => wx.setMessagePush(WEB, { url: 'http://127.0.0.1:1/wx', token: 'tok' })).toThrow(
        /official account/,
      );
      expect(() => wx.setFollowing('nobody', MP, true)).toThrow(/nobody/);
    });

    it('validates push settings without echoing the token or key', () => {
      const bad = (push: any): string => {
        try {
          wx.setMessagePush(MP, push);
        } catch (error) {
          return (error as Error).message;
        }
        return 'accepted';
      };
      expect(bad({ url: 'ftp://a.test/', token: 'tok' })).toMatch(/url/);
      expect(bad({ url: 'http://a.test/', token: '' })).toMatch(/token/);
      const key = 'K'.repeat(42);
      const message = bad({ url: 'http://a.test/', token: 'secret-token', encodingAesKey: key });
      expect(message).toMatch(/encodingAesKey/);
      expect(message).not.toContain(key);
      expect(message).not.toContain('secret-token');
      expect(bad({ url: 'http://a.test/', token: 'tok', encodingAesKey: 'K'.repeat(43) })).toBe(
        'accepted',
      );
      wx.setMessagePush(MP, undefined);
    });
  });

  describe('/cgi-bin/stable_token', () => {
    it('answers the same token for its whole life, with the seconds it has left', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const get = (): Promise<Body> => stableToken(MP, {}, fresh);
        const first = await get();
        expect(Object.keys(first).sort()).toEqual(['access_token', 'expires_in']);
        expect(first.access_token).toMatch(/^[A-Za-z0-9_-]{86}$/);
        expect(first.expires_in).toBe(7200);
        fresh.advance(HOUR);
        const later = await get();
        expect(later.access_token).toBe(first.access_token);
        expect(later.expires_in).toBeLessThanOrEqual(3600);
        expect(later.expires_in).toBeGreaterThan(3590);
        expect(fresh.appTokensIssued(MP)).toBe(1);

        fresh.advance(HOUR);
        const renewed = await get();
        expect(renewed.access_token).not.toBe(first.access_token);
        expect(renewed.expires_in).toBe(7200);
        expect(fresh.appTokensIssued(MP)).toBe(2);
        expect(fresh.appTokensIssued(LONE)).toBe(0);
      } finally {
        await fresh.close();
      }
    });

    it('mints a new token on force_refresh and revokes the old one (40001)', async () => {
      const old = await tokenOf();
      const before = wx.appTokensIssued(MP);
      const forced = await stableToken(MP, { force_refresh: true });
      expect(forced.access_token).not.toBe(old);
      expect(wx.appTokensIssued(MP)).toBe(before + 1);
      expect(await createQr(strScene('s'), old)).toMatchObject({ errcode: 40001 });
      expect(await tokenOf()).toBe(forced.access_token);
    });

    it('keeps one token per app', async () => {
      expect(await tokenOf(MP)).not.toBe(await tokenOf(LONE));
    });

    it("answers WeChat's errors, never echoing the secret", async () => {
      const secret = wx.app(MP).secret;
      const cases: Array<[unknown, number]> = [
        [{ grant_type: 'client_credential', appid: 'wx0nobody', secret }, 40013],
        [{ grant_type: 'client_credential', appid: WEB, secret: wx.app(WEB).secret }, 40013],
        [{ grant_type: 'client_credential', appid: MP, secret: `${secret}x` }, 40125],
        [{ grant_type: 'authorization_code', appid: MP, secret }, 40002],
        [{ grant_type: 'client_credential', secret }, 41002],
        [{ grant_type: 'client_credential', appid: MP }, 41004],
        ['{not json', 47001],
        ['[]', 47001],
      ];
      for (const [body, errcode] of cases) {
        const error = await post('/cgi-bin/stable_token', body);
        expect(error).toEqual({ errcode, errmsg: expect.stringMatching(RID) });
        expect(JSON.stringify(error)).not.toContain(secret);
      }
      const get = await fetch(
        `${wx.url}/cgi-bin/stable_token?grant_type=client_credential&appid=${MP}&secret=${secret}`,
      ).then(answer);
      expect(get).toMatchObject({ errcode: 43002 });
    });
  });

  describe('/cgi-bin/qrcode/create and /cgi-bin/showqrcode', () => {
    it('creates a temporary code: an opaque ticket, its expiry, and the URL it holds', async () => {
      const qr = await createQr(strScene('login:abc', 300));
      expect(Object.keys(qr).sort()).toEqual(['expire_seconds', 'ticket', 'url']);
      expect(qr.ticket).toMatch(/^[A-Za-z0-9+/]{94}==$/);
      expect(qr.expire_seconds).toBe(300);
      expect(qr.url).toMatch(new RegExp(`^${wx.publicUrl}/q/[A-Za-z0-9]{24}$`));
      const other = await createQr(strScene('login:abc', 300));
      expect(other.ticket).not.toBe(qr.ticket);
    });

    it('defaults to 30 s, caps at 30 days, and takes QR_SCENE with a scene_id', async () => {
      expect((await createQr(strScene('a'))).expire_seconds).toBe(30);
      expect((await createQr(strScene('a', 9_999_999))).expire_seconds).toBe(2_592_000);
      const byId = await createQr({
        expire_seconds: 60,
        action_name: 'QR_SCENE',
        action_info: { scene: { scene_id: 123 } },
      });
      expect(byId).toMatchObject({ expire_seconds: 60, ticket: expect.any(String) });
    });

    it('refuses bad scenes and bodies', async () => {
      const token = await tokenOf();
      for (const body of [
        strScene(''),
        strScene('x'.repeat(65)),
        { action_name: 'QR_STR_SCENE', action_info: { scene: { scene_id: 1 } } },
        { action_name: 'QR_SCENE', action_info: { scene: { scene_id: 0 } } },
        { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 1 } } },
        { action_name: 'QR_STR_SCENE' },
      ]) {
        expect(await createQr(body, token)).toMatchObject({ errcode: 40003 });
      }
      expect((await createQr(strScene('x'.repeat(64)), token)).ticket).toBeDefined();
      expect(await createQr('nope' as unknown as Body, token)).toMatchObject({ errcode: 47001 });
      expect(await createQr(strScene('a', -1), token)).toMatchObject({ errcode: 47001 });
    });

    it('refuses unknown, missing and expired tokens', async () => {
      const fresh = await WxSandbox.start({ apps: APPS });
      try {
        const create = (query: Record<string, string>): Promise<Body> =>
          fetch(`${fresh.url}/cgi-bin/qrcode/create?${new URLSearchParams(query)}`, {
            method: 'POST',
            body: JSON.stringify(strScene('s')),
          }).then(answer);
        expect(await create({ access_token: 'nope' })).toMatchObject({ errcode: 40001 });
        expect(await create({})).toMatchObject({ errcode: 41001 });
        const token = await stableToken(MP, {}, fresh);
        fresh.advance(2 * HOUR);
        expect(await create({ access_token: token.access_token })).toMatchObject({
          errcode: 42001,
        });
      } finally {
        await fresh.close();
      }
    });

    it('serves the code as an SVG of its URL until it expires, then 404', async () => {
      const qr = await createQr(strScene('img', 60));
      const show = (ticket: string): Promise<Response> =>
        fetch(`${wx.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`);
      const image = await show(qr.ticket);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/svg+xml');
      expect(await image.text()).toMatch(/^<svg [^>]*>.*<path fill="#000" d="M/s);
      expect((await show('unknown')).status).toBe(404);
      wx.advance(61_000);
      expect((await show(qr.ticket)).status).toBe(404);
      expect((await fetch(qr.url)).status).toBe(404);
    });

    it('opens the scan page at the URL, each user marked new or existing follower', async () => {
      wx.setFollowing('bob', MP, true);
      const qr = await createQr(strScene('page', 60));
      const page = await fetch(qr.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('<svg');
      expect(html).toMatch(/data-user="alice" data-following="false"/);
      expect(html).toMatch(/data-user="bob" data-following="true"/);
      expect(html).toMatch(/<button id="scan"[^>]*>[^<]*Scan/);
      wx.setFollowing('bob', MP, false);
    });
  });

  describe('/cgi-bin/user/info', () => {
    it('describes a follower who came through a QR code, with unionid when bound', async () => {
      const token = await tokenOf();
      const qr = await createQr(strScene('info-scene', 60), token);
      wx.setFollowing('carol', MP, false);
      const result = await wx.scan(qr.ticket, 'carol');
      expect(result).toMatchObject({ event: 'subscribe', attempts: [], answered: false });
      const info = await userInfo(token, wx.openidOf('carol', MP));
      expect(info).toEqual({
        subscribe: 1,
        openid: wx.openidOf('carol', MP),
        language: 'zh_CN',
        subscribe_time: expect.any(Number),
        unionid: wx.unionidOf('carol', MP),
        remark: '',
        groupid: 0,
        tagid_list: [],
        subscribe_scene: 'ADD_SCENE_QR_CODE',
        qr_scene: 0,
        qr_scene_str: 'info-scene',
      });
      expect(Math.abs(info.subscribe_time - wx.now() / 1000)).toBeLessThan(2);
      expect(info).not.toHaveProperty('nickname');
      expect(info).not.toHaveProperty('headimgurl');
    });

    it('answers subscribe 0 and the openid alone for a non-follower', async () => {
      const openid = wx.openidOf('snap', MP);
      expect(await userInfo(await tokenOf(), openid)).toEqual({ subscribe: 0, openid });
    });

    it('sends no unionid from an unbound account', async () => {
      wx.setFollowing('alice', LONE, true);
      const info = await userInfo(await tokenOf(LONE), wx.openidOf('alice', LONE));
      expect(info).toMatchObject({ subscribe: 1, subscribe_scene: 'ADD_SCENE_OTHERS' });
      expect(info).not.toHaveProperty('unionid');
      expect(wx.isFollowing('alice', LONE)).toBe(true);
      wx.setFollowing('alice', LONE, false);
      expect(wx.isFollowing('alice', LONE)).toBe(false);
    });

    it("refuses another app's openid (40003) and bad tokens", async () => {
      const token = await tokenOf();
      expect(await userInfo(token, wx.openidOf('alice', LONE))).toMatchObject({ errcode: 40003 });
      expect(await userInfo(token, wx.openidOf('alice', WEB))).toMatchObject({ errcode: 40003 });
      expect(await userInfo('nope', wx.openidOf('alice', MP))).toMatchObject({ errcode: 40001 });
      expect(await userInfo(token, wx.openidOf('alice', MP), 'fr')).toMatchObject({
        errcode: 40006,
      });
    });
  });

  describe('faults and stats', () => {
    it('targets the new endpoints like the others', async () => {
      const token = await tokenOf();
      wx.inject({ type: 'errcode', errcode: -1 }, { endpoint: 'stable_token' });
      expect(await stableToken()).toEqual({
        errcode: -1,
        errmsg: expect.stringMatching(/^system error, rid: /),
      });
      wx.inject({ type: 'errcode', errcode: 45009 }, { endpoint: 'qrcode_create' });
      expect(await createQr(strScene('q'), token)).toMatchObject({
        errcode: 45009,
        errmsg: expect.stringMatching(/daily quota/),
      });
      wx.inject({ type: 'errcode', errcode: 40164 }, { endpoint: 'stable_token' });
      expect(await stableToken()).toMatchObject({
        errcode: 40164,
        errmsg: expect.stringMatching(/^invalid ip .* not in whitelist/),
      });

      wx.inject({ type: 'http500' }, { endpoint: 'user_info' });
      const failed = await fetch(`${wx.url}/cgi-bin/user/info?access_token=${token}&openid=x`);
      expect(failed.status).toBe(500);

      wx.inject({ type: 'reset' }, { endpoint: 'qrcode_create' });
      await expect(
        fetch(`${wx.url}/cgi-bin/qrcode/create?access_token=${token}`, {
          method: 'POST',
          body: JSON.stringify(strScene('r')),
        }),
      ).rejects.toThrow();

      wx.inject({ type: 'delay', ms: 120 }, { endpoint: 'stable_token' });
      const started = performance.now();
      expect((await stableToken()).access_token).toBe(token);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('counts requests to each new endpoint and page', async () => {
      wx.resetStats();
      const token = await tokenOf();
      const qr = await createQr(strScene('count', 60), token);
      await userInfo(token, wx.openidOf('alice', MP));
      await fetch(`${wx.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`);
      await fetch(qr.url);
      expect(wx.stats.requests).toMatchObject({
        stable_token: 1,
        qrcode_create: 1,
        user_info: 1,
        showqrcode: 1,
        follow_qr: 1,
        follow_scan: 0,
        access_token: 0,
      });
    });
  });
});
