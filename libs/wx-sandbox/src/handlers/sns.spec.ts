import { WxSandbox } from '../wx-sandbox.js';
import { RID, TOKEN_FIELDS_WITH_UNIONID } from '../wx-sandbox.spec-helper.js';

type Body = Record<string, unknown>;

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

describe('WxSandbox /sns API', () => {
  let wx: WxSandbox;

  beforeAll(async () => {
    wx = await WxSandbox.start();
  });
  afterAll(() => wx.close());

  const user = (key: string) => wx.users.find((candidate) => candidate.key === key)!;

  /** A GET as WeChat wants it; every answer, errors included, is HTTP 200 text/plain JSON. */
  const sns = async (path: string, params: Record<string, string>, sandbox = wx): Promise<Body> => {
    const res = await fetch(`${sandbox.url}${path}?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    return (await res.json()) as Body;
  };

  const exchange = (code: string, sandbox = wx): Promise<Body> =>
    sns(
      '/sns/oauth2/access_token',
      { appid: sandbox.appid, secret: sandbox.secret, code, grant_type: 'authorization_code' },
      sandbox,
    );
  const refresh = (refreshToken: string): Promise<Body> =>
    sns('/sns/oauth2/refresh_token', {
      appid: wx.appid,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  const auth = (accessToken: string, openid: string): Promise<Body> =>
    sns('/sns/auth', { access_token: accessToken, openid });
  const userinfo = (
    accessToken: string,
    openid: string,
    lang?: string,
    sandbox = wx,
  ): Promise<Body> =>
    sns('/sns/userinfo', { access_token: accessToken, openid, ...(lang ? { lang } : {}) }, sandbox);

  const login = async (
    key: string,
    scope: 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login',
  ): Promise<Body> => exchange(wx.issueCode(key, scope));

  describe('oauth2/access_token', () => {
    it('answers the token fields with unionid for snsapi_userinfo', async () => {
      const token = await login('alice', 'snsapi_userinfo');
      expect(Object.keys(token).sort()).toEqual(TOKEN_FIELDS_WITH_UNIONID);
      expect(token).toMatchObject({
        expires_in: 7200,
        openid: user('alice').openid,
        scope: 'snsapi_userinfo',
        unionid: user('alice').unionid,
      });
      expect(token.access_token).toMatch(/^[A-Za-z0-9_-]{80,}$/);
      expect(token.refresh_token).toMatch(/^[A-Za-z0-9_-]{80,}$/);
      expect(token.refresh_token).not.toBe(token.access_token);
    });

    it('has no unionid for snsapi_base, but has it for snsapi_login', async () => {
      expect(await login('alice', 'snsapi_base')).not.toHaveProperty('unionid');
      expect(await login('alice', 'snsapi_login')).toHaveProperty('unionid', user('alice').unionid);
    });

    it('has no unionid at all when the app is not bound to an open platform', async () => {
      const unbound = await WxSandbox.start({ unionid: false });
      try {
        const token = await exchange(unbound.issueCode('bob', 'snsapi_userinfo'), unbound);
        expect(token).toHaveProperty('openid');
        expect(token).not.toHaveProperty('unionid');
        const info = await userinfo(
          token.access_token as string,
          token.openid as string,
          undefined,
          unbound,
        );
        expect(info).toHaveProperty('nickname', '小明 🐼');
        expect(info).not.toHaveProperty('unionid');
      } finally {
        await unbound.close();
      }
    });

    it('flags snapshot-page users', async () => {
      expect(await login('snap', 'snsapi_base')).toHaveProperty('is_snapshotuser', 1);
      expect(await login('alice', 'snsapi_base')).not.toHaveProperty('is_snapshotuser');
    });

    it('takes a code once: the second exchange gets 40163', async () => {
      const code = wx.issueCode('alice', 'snsapi_base');
      expect(await exchange(code)).toHaveProperty('access_token');
      const again = await exchange(code);
      expect(again.errcode).toBe(40163);
      expect(again.errmsg).toMatch(/^code been used/);
      expect(again.errmsg).toMatch(RID);
    });

    it('expires codes after 5 minutes of sandbox time (40029), as unknown codes', async () => {
      const justInTime = wx.issueCode('alice', 'snsapi_base');
      const late = wx.issueCode('alice', 'snsapi_base');
      wx.advance(5 * 60 * 1000 - 1000);
      expect(await exchange(justInTime)).toHaveProperty('access_token');
      wx.advance(1000);
      expect(await exchange(late)).toMatchObject({ errcode: 40029 });
      expect(await exchange('NoSuchCode0000000000000000000000')).toMatchObject({ errcode: 40029 });
    });

    it.each([
      ['appid missing', { secret: 's', code: 'c', grant_type: 'authorization_code' }, 41002],
      [
        'unknown appid',
        { appid: 'wxother', secret: 's', code: 'c', grant_type: 'authorization_code' },
        40013,
      ],
      ['secret missing', { appid: 'APPID', code: 'c', grant_type: 'authorization_code' }, 41004],
      [
        'code missing',
        { appid: 'APPID', secret: 'SECRET', grant_type: 'authorization_code' },
        41008,
      ],
      [
        'bad grant_type',
        { appid: 'APPID', secret: 'SECRET', code: 'c', grant_type: 'client_credentials' },
        40002,
      ],
    ])('answers %s with %i', async (_, params: Record<string, string>, errcode) => {
      const filled = Object.fromEntries(
        Object.entries(params).map(([key, value]) => [
          key,
          value === 'APPID' ? wx.appid : value === 'SECRET' ? wx.secret : value,
        ]),
      );
      const body = await sns('/sns/oauth2/access_token', filled);
      expect(body.errcode).toBe(errcode);
      expect(body.errmsg).toMatch(RID);
    });

    it('answers a wrong secret with 40125 without echoing any secret', async () => {
      const res = await fetch(
        `${wx.url}/sns/oauth2/access_token?${new URLSearchParams({ appid: wx.appid, secret: 'f00dbabe'.repeat(4), code: 'c', grant_type: 'authorization_code' })}`,
      );
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ errcode: 40125 });
      expect(text).not.toContain('f00dbabe');
      expect(text).not.toContain(wx.secret);
    });

    it('reads no POST body: the parameters are missing (41002)', async () => {
      const res = await fetch(`${wx.url}/sns/oauth2/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          appid: wx.appid,
          secret: wx.secret,
          code: wx.issueCode('alice', 'snsapi_base'),
          grant_type: 'authorization_code',
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain');
      expect(await res.json()).toMatchObject({ errcode: 41002 });
    });
  });

  describe('oauth2/refresh_token', () => {
    it('keeps a live access token and extends it', async () => {
      const token = await login('bob', 'snsapi_userinfo');
      wx.advance(HOUR);
      const refreshed = await refresh(token.refresh_token as string);
      expect(refreshed).toEqual({
        access_token: token.access_token,
        expires_in: 7200,
        refresh_token: token.refresh_token,
        openid: user('bob').openid,
        scope: 'snsapi_userinfo',
      });
      // Past the first expiry (2 h after issue), within the extended one.
      wx.advance(2 * HOUR - 1000);
      expect(await auth(token.access_token as string, token.openid as string)).toEqual({
        errcode: 0,
        errmsg: 'ok',
      });
    });

    it('replaces an expired access token and retires the old one', async () => {
      const token = await login('bob', 'snsapi_userinfo');
      wx.advance(2 * HOUR);
      const refreshed = await refresh(token.refresh_token as string);
      expect(refreshed.access_token).toMatch(/^[A-Za-z0-9_-]{80,}$/);
      expect(refreshed.access_token).not.toBe(token.access_token);
      expect(refreshed.refresh_token).toBe(token.refresh_token);
      expect(await auth(refreshed.access_token as string, token.openid as string)).toMatchObject({
        errcode: 0,
      });
      expect(await auth(token.access_token as string, token.openid as string)).toMatchObject({
        errcode: 40001,
      });
    });

    it('expires the refresh token 30 days after issue, however often it was used (42002)', async () => {
      const token = await login('alice', 'snsapi_userinfo');
      wx.advance(30 * DAY - HOUR);
      expect(await refresh(token.refresh_token as string)).toHaveProperty('access_token');
      wx.advance(HOUR);
      const expired = await refresh(token.refresh_token as string);
      expect(expired.errcode).toBe(42002);
      expect(expired.errmsg).toMatch(RID);
    });

    it('answers 40030, 41003, 40002 and 40013 for bad requests', async () => {
      expect(await refresh('no-such-refresh-token')).toMatchObject({ errcode: 40030 });
      expect(await refresh('')).toMatchObject({ errcode: 41003 });
      const token = await login('alice', 'snsapi_base');
      const rt = token.refresh_token as string;
      expect(
        await sns('/sns/oauth2/refresh_token', {
          appid: wx.appid,
          grant_type: 'authorization_code',
          refresh_token: rt,
        }),
      ).toMatchObject({ errcode: 40002 });
      expect(
        await sns('/sns/oauth2/refresh_token', {
          appid: 'wxother',
          grant_type: 'refresh_token',
          refresh_token: rt,
        }),
      ).toMatchObject({ errcode: 40013 });
      expect(
        await sns('/sns/oauth2/refresh_token', { grant_type: 'refresh_token', refresh_token: rt }),
      ).toMatchObject({ errcode: 41002 });
    });
  });

  describe('auth', () => {
    it("checks a token against its user's openid", async () => {
      const alice = await login('alice', 'snsapi_base');
      const at = alice.access_token as string;
      expect(await auth(at, user('alice').openid)).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(await auth(at, user('bob').openid)).toMatchObject({ errcode: 40003 });
      expect(await auth('not-a-token', user('alice').openid)).toMatchObject({ errcode: 40001 });
      expect(await auth('', user('alice').openid)).toMatchObject({ errcode: 41001 });
      expect(await auth(at, '')).toMatchObject({ errcode: 41009 });
      wx.advance(7200 * 1000);
      const expired = await auth(at, user('alice').openid);
      expect(expired.errcode).toBe(42001);
      expect(expired.errmsg).not.toContain(at);
    });
  });

  describe('userinfo', () => {
    it('answers the profile as WeChat does since 2021: no gender, no region', async () => {
      const token = await login('bob', 'snsapi_userinfo');
      expect(await userinfo(token.access_token as string, user('bob').openid)).toEqual({
        openid: user('bob').openid,
        nickname: '小明 🐼',
        sex: 0,
        province: '',
        city: '',
        country: '',
        headimgurl: user('bob').headimgurl,
        privilege: [],
        language: '',
        unionid: user('bob').unionid,
      });
    });

    it('gives an empty headimgurl for a user without avatar, in any supported lang', async () => {
      const token = await login('carol', 'snsapi_login');
      expect(
        await userinfo(token.access_token as string, user('carol').openid, 'en'),
      ).toHaveProperty('headimgurl', '');
      expect(
        await userinfo(token.access_token as string, user('carol').openid, 'zh_TW'),
      ).toHaveProperty('nickname', 'Carol');
      expect(
        await userinfo(token.access_token as string, user('carol').openid, 'fr'),
      ).toMatchObject({ errcode: 40006 });
    });

    it('refuses a snsapi_base token with 48001', async () => {
      const token = await login('alice', 'snsapi_base');
      const body = await userinfo(token.access_token as string, user('alice').openid);
      expect(body.errcode).toBe(48001);
      expect(body.errmsg).toMatch(/^api unauthorized/);
    });

    it('answers 40001, 40003 and 42001 like auth', async () => {
      const token = await login('alice', 'snsapi_userinfo');
      const at = token.access_token as string;
      expect(await userinfo('nope', user('alice').openid)).toMatchObject({ errcode: 40001 });
      expect(await userinfo(at, user('carol').openid)).toMatchObject({ errcode: 40003 });
      wx.advance(7200 * 1000);
      expect(await userinfo(at, user('alice').openid)).toMatchObject({ errcode: 42001 });
    });
  });

  it('answers anything else with a 404', async () => {
    const res = await fetch(`${wx.url}/sns/oauth2/unknown/access_token`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Not Found');
  });
});
