import type { TestingModule } from '@nestjs/testing';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import { WeChatStub } from './wechat-stub.spec-helper.js';
import { WXOAuth } from './wx-oauth.client.js';
import { WxOAuthError } from './wx-oauth.error.js';

const APPID = 'wx0c11ent0000001';
const SECRET = 'client-spec-secret-5f3c1a9e7d';
const CALLBACK = 'https://app.example.com/auth/wechat/callback?from=menu';
const TOKEN = {
  access_token: 'ACCESS_TOKEN_1',
  expires_in: 7200,
  refresh_token: 'REFRESH_TOKEN_1',
  openid: 'oClientUser0000000000000001',
  scope: 'snsapi_userinfo',
};

/** What `promise` rejects with. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as WxOAuthError,
  );

describe('WXOAuth', () => {
  let moduleRef: TestingModule;
  let wechat: WeChatStub;
  let wx: WXOAuth;

  beforeEach(async () => {
    wechat = new WeChatStub({
      '/sns/oauth2/access_token': TOKEN,
      '/sns/userinfo': (call) => ({ openid: call.params.openid, nickname: 'Band', unionid: 'u1' }),
    });
    ({ moduleRef } = await compileWxOAuth({
      appid: APPID,
      secret: SECRET,
      callbackURL: 'https://app.example.com/auth/wechat/callback',
      apiBaseUrl: 'https://api.wechat.test/',
      openBaseUrl: 'https://open.wechat.test',
      axios: wechat.axios,
    }));
    wx = moduleRef.get(WXOAuth);
  });
  afterEach(() => moduleRef.close());

  describe('getAuthorizeUrl', () => {
    it("puts WeChat's parameters in its own order, the redirect URI encoded, and ends with #wechat_redirect", () => {
      expect(wx.getAuthorizeUrl(CALLBACK, 'snsapi_userinfo', { state: 'abc123' })).toBe(
        `https://open.wechat.test/connect/oauth2/authorize?appid=${APPID}` +
          '&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Fwechat%2Fcallback%3Ffrom%3Dmenu' +
          '&response_type=code&scope=snsapi_userinfo&state=abc123#wechat_redirect',
      );
    });

    it('asks for snsapi_base by default, and sends the website QR login to qrconnect', () => {
      expect(wx.getAuthorizeUrl(CALLBACK)).toMatch(
        /\/connect\/oauth2\/authorize\?appid=[^&]+&redirect_uri=[^&]+&response_type=code&scope=snsapi_base#wechat_redirect$/,
      );
      expect(wx.getAuthorizeUrl(CALLBACK, 'snsapi_login', { state: 's1' })).toMatch(
        /^https:\/\/open\.wechat\.test\/connect\/qrconnect\?appid=[^&]+&redirect_uri=[^&]+&response_type=code&scope=snsapi_login&state=s1#wechat_redirect$/,
      );
    });

    it('puts forcePopup and forceSnapShot after the state, before the fragment', () => {
      const url = wx.getAuthorizeUrl(CALLBACK, 'snsapi_userinfo', {
        state: 's1',
        forcePopup: true,
        forceSnapShot: false,
      });
      expect(url).toMatch(/&state=s1&forcePopup=true&forceSnapShot=false#wechat_redirect$/);
      expect(url).not.toContain(SECRET);
    });

    it.each([
      ['a relative redirect URI', '/callback', 'snsapi_base', {}],
      ['an unknown scope', CALLBACK, 'snsapi_privateinfo', {}],
      ['a state WeChat would refuse', CALLBACK, 'snsapi_base', { state: 'a-b' }],
    ])('refuses %s with invalid_request, calling nothing', (_name, uri, scope, params) => {
      expect(() => wx.getAuthorizeUrl(uri, scope as 'snsapi_base', params)).toThrow(
        expect.objectContaining({ kind: 'invalid_request' }) as Error,
      );
      expect(wechat.calls).toHaveLength(0);
    });
  });

  describe('getAccessToken', () => {
    it('GETs /sns/oauth2/access_token with appid, secret, code and grant_type, in that order', async () => {
      await expect(wx.getAccessToken('CODE_1')).resolves.toEqual(TOKEN);
      expect(wechat.calls).toHaveLength(1);
      const [call] = wechat.calls;
      expect(call).toMatchObject({ method: 'GET', path: '/sns/oauth2/access_token' });
      expect(call.body).toBeUndefined();
      expect(call.query).toBe(
        `appid=${APPID}&secret=${SECRET}&code=CODE_1&grant_type=authorization_code`,
      );
    });

    it('encodes the code, and refuses an empty one before calling WeChat', async () => {
      await wx.getAccessToken('a&b=c');
      expect(wechat.calls[0].params.code).toBe('a&b=c');
      expect(wechat.calls[0].query).toContain('code=a%26b%3Dc&');
      await expect(wx.getAccessToken(' ')).rejects.toMatchObject({ kind: 'invalid_request' });
      expect(wechat.calls).toHaveLength(1);
    });

    it('is not retried: a code works once', async () => {
      wechat.once('/sns/oauth2/access_token', { errcode: -1, errmsg: 'system error' });
      await expect(wx.getAccessToken('CODE_1')).rejects.toMatchObject({ kind: 'busy' });
      expect(wechat.calls).toHaveLength(1);
    });
  });

  describe('code2VerifyInfo', () => {
    const VERIFY_INFO = {
      errcode: 0,
      errmsg: 'ok',
      login_info: { type: 'weixinApp' },
      user_info: { openapp_info: { appid: 'wx0m0b11e0app001', openid: 'oApp1' } },
    };

    it('GETs /donut/code2verifyinfo with the app token, appid, appsecret, code and grant_type, in that order', async () => {
      wechat.on('/donut/code2verifyinfo', VERIFY_INFO);
      await expect(wx.code2VerifyInfo('APP_TOKEN_1', 'CODE_1')).resolves.toEqual(VERIFY_INFO);
      expect(wechat.calls).toHaveLength(1);
      const [call] = wechat.calls;
      expect(call).toMatchObject({ method: 'GET', path: '/donut/code2verifyinfo' });
      expect(call.body).toBeUndefined();
      expect(call.query).toBe(
        `access_token=APP_TOKEN_1&appid=${APPID}&appsecret=${SECRET}&code=CODE_1&grant_type=authorization_code`,
      );
    });

    it('refuses an empty app token or code before calling WeChat', async () => {
      await expect(wx.code2VerifyInfo('', 'CODE_1')).rejects.toMatchObject({
        kind: 'invalid_request',
        message: expect.stringContaining('appToken'),
      });
      await expect(wx.code2VerifyInfo('APP_TOKEN_1', ' ')).rejects.toMatchObject({
        kind: 'invalid_request',
        message: expect.stringContaining('code'),
      });
      expect(wechat.calls).toHaveLength(0);
    });

    it('is not retried: a code works once', async () => {
      wechat.once('/donut/code2verifyinfo', { errcode: -1, errmsg: 'system error' });
      await expect(wx.code2VerifyInfo('APP_TOKEN_1', 'CODE_1')).rejects.toMatchObject({
        kind: 'busy',
      });
      expect(wechat.calls).toHaveLength(1);
    });

    it('keeps the appsecret, the code and the app token out of its errors, even when WeChat echoes them', async () => {
      wechat.once('/donut/code2verifyinfo', {
        errcode: 10001003,
        errmsg: `invalid appsecret ${SECRET} for CODE_SECRET_1 with APP_TOKEN_SECRET_1`,
      });
      const error = await rejectionOf(wx.code2VerifyInfo('APP_TOKEN_SECRET_1', 'CODE_SECRET_1'));
      expect(error).toMatchObject({ kind: 'app_config', errcode: 10001003 });
      const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.errmsg)}`;
      for (const secret of [SECRET, 'CODE_SECRET_1', 'APP_TOKEN_SECRET_1'])
        expect(everything).not.toContain(secret);
      expect(error.message).toContain(
        'invalid appsecret [redacted] for [redacted] with [redacted]',
      );
    });
  });

  describe("WeChat's errors, answered with HTTP 200", () => {
    it.each([
      [40029, 'invalid code', 'invalid_code', 401],
      [40163, 'code been used', 'invalid_code', 401],
      [40125, 'invalid appsecret', 'app_config', 502],
      [45011, 'api minute-quota reach limit', 'quota', 502],
      [99999, 'something new', 'upstream', 502],
    ])(
      'become a WxOAuthError with errcode %i and its kind',
      async (errcode, errmsg, kind, status) => {
        wechat.once('/sns/oauth2/access_token', {
          errcode,
          errmsg: `${errmsg}, rid: 6650f0a1-4d2c`,
        });
        const error = await rejectionOf(wx.getAccessToken('CODE_1'));
        expect(error).toBeInstanceOf(WxOAuthError);
        expect(error).toMatchObject({
          kind,
          errcode,
          errmsg,
          rid: '6650f0a1-4d2c',
          endpoint: '/sns/oauth2/access_token',
          status,
        });
        expect(error.message).toContain(
          `WeChat /sns/oauth2/access_token failed: ${errcode} ${errmsg}`,
        );
      },
    );

    it('never carry the secret, the code or a token, even when WeChat echoes them', async () => {
      wechat.once('/sns/oauth2/access_token', {
        errcode: 40125,
        errmsg: `invalid appsecret ${SECRET} for code CODE_SECRET_1`,
      });
      const exchange = await rejectionOf(wx.getAccessToken('CODE_SECRET_1'));
      wechat.once('/sns/userinfo', {
        errcode: 40001,
        errmsg: `invalid credential ${TOKEN.access_token}`,
      });
      const userinfo = await rejectionOf(wx.getUserinfo(TOKEN.access_token, TOKEN.openid));
      for (const error of [exchange, userinfo]) {
        const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.errmsg)}`;
        for (const secret of [SECRET, 'CODE_SECRET_1', TOKEN.access_token])
          expect(everything).not.toContain(secret);
      }
      expect(exchange.message).toContain('invalid appsecret [redacted] for code [redacted]');
      expect(userinfo).toMatchObject({ kind: 'invalid_token', errcode: 40001 });
    });

    it("leave an answer that is not WeChat's (an HTTP 404) as bad_response, built from the path alone", async () => {
      const noAnswer = await rejectionOf(wx.refreshToken(TOKEN.refresh_token));
      expect(noAnswer).toMatchObject({
        kind: 'bad_response',
        message: 'WeChat /sns/oauth2/refresh_token answered HTTP 404',
      });
      expect(noAnswer.message + noAnswer.stack).not.toContain(TOKEN.refresh_token);
    });
  });

  it('keeps the secret out of the client when logged or serialised', () => {
    const shown = `${JSON.stringify(wx)} ${Object.keys(wx).join(',')} ${String(Object.values(wx))}`;
    expect(shown).not.toContain(SECRET);
    expect(wx.appid).toBe(APPID);
  });

  it("fetches the profile after the exchange when the granted scope allows it, with WeChat's lang", async () => {
    const { token, userinfo } = await wx.getUserByCode('CODE_1', 'en');
    expect(token).toEqual(TOKEN);
    expect(userinfo).toMatchObject({ nickname: 'Band', unionid: 'u1' });
    expect(wechat.callsTo('/sns/userinfo')[0].query).toBe(
      `access_token=${TOKEN.access_token}&openid=${TOKEN.openid}&lang=en`,
    );

    wechat.once('/sns/oauth2/access_token', { ...TOKEN, scope: 'snsapi_base' });
    expect(await wx.getUserByCode('CODE_2')).toEqual({ token: { ...TOKEN, scope: 'snsapi_base' } });
    expect(wechat.callsTo('/sns/userinfo')).toHaveLength(1);
  });
});
