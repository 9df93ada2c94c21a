import { inspect } from 'node:util';
import { WXOAuth, WxOAuthError, type WxAccessToken } from 'nest-wx-oauth';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { startForwardProxy } from './support/forward-proxy.js';
import { authorize } from './support/login-flow.js';
import { startRecordingServer } from './support/recording-server.js';

const DAY = 24 * 60 * 60 * 1000;

describe('WXOAuth against the sandbox', () => {
  let sandbox: WxSandbox;
  let wx: WXOAuth;
  const clients: WXOAuth[] = [];
  const errors: unknown[] = [];

  const client = (options: Partial<ConstructorParameters<typeof WXOAuth>[0]> = {}) => {
    const c = new WXOAuth({
      appid: sandbox.appid,
      secret: sandbox.secret,
      apiBaseUrl: sandbox.url,
      openBaseUrl: sandbox.url,
      ...options,
    });
    clients.push(c);
    return c;
  };
  /** The error a call rejects with, kept for the suite-wide secret check. */
  const failure = async (call: Promise<unknown>): Promise<WxOAuthError> => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    errors.push(error);
    if (!(error instanceof WxOAuthError))
      throw new Error(`expected a WxOAuthError, got ${inspect(error)}`);
    return error;
  };
  const token = (
    user = 'alice',
    scope: 'snsapi_base' | 'snsapi_userinfo' = 'snsapi_userinfo',
  ): Promise<WxAccessToken> => wx.getAccessToken(sandbox.issueCode(user, scope));

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    wx = client();
  });
  afterEach(() => sandbox.clearFaults());
  afterAll(async () => {
    expect(errors.length).toBeGreaterThan(10);
    for (const error of errors) {
      const e = error as Error;
      for (const text of [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 5 })]) {
        expect(text).not.toContain(sandbox.secret);
      }
    }
    expect(inspect(wx, { depth: 5, showHidden: true })).not.toContain(sandbox.secret);
    expect(JSON.stringify(wx)).not.toContain(sandbox.secret);
    clients.forEach((c) => c.close());
    await sandbox.close();
  });

  it('builds an authorize URL the sandbox (strict about order) accepts', async () => {
    const url = wx.getAuthorizeUrl('http://127.0.0.1:1/cb?x=1', 'snsapi_userinfo', {
      state: 'abc',
      forcePopup: true,
    });
    const callback = await authorize(url);
    expect(callback.origin + callback.pathname).toBe('http://127.0.0.1:1/cb');
    expect(callback.searchParams.get('x')).toBe('1');
    expect(callback.searchParams.get('state')).toBe('abc');
    expect(callback.searchParams.get('code')).toMatch(/^\w{16,}$/);
    expect(wx.getAuthorizeUrl('http://a/cb')).toContain('&scope=snsapi_base#wechat_redirect');
  });

  describe('getAccessToken', () => {
    it('exchanges a code, keeping WeChat field names', async () => {
      const alice = sandbox.users.find((u) => u.key === 'alice')!;
      expect(await token('alice')).toEqual({
        access_token: expect.any(String),
        expires_in: 7200,
        refresh_token: expect.any(String),
        openid: alice.openid,
        scope: 'snsapi_userinfo',
        unionid: alice.unionid,
      });
    });

    it('gives no unionid for snsapi_base', async () => {
      expect(await token('alice', 'snsapi_base')).not.toHaveProperty('unionid');
    });

    it('refuses a used code (40163) and an unknown one (40029)', async () => {
      const code = sandbox.issueCode('alice', 'snsapi_base');
      await wx.getAccessToken(code);
      expect(await failure(wx.getAccessToken(code))).toMatchObject({
        kind: 'invalid_code',
        errcode: 40163,
        rid: expect.any(String),
      });
      expect(await failure(wx.getAccessToken('nope'))).toMatchObject({
        kind: 'invalid_code',
        errcode: 40029,
        errmsg: 'invalid code',
      });
    });

    it('refuses a code past its five minutes', async () => {
      const code = sandbox.issueCode('alice', 'snsapi_base');
      sandbox.advance(5 * 60 * 1000 + 1);
      expect(await failure(wx.getAccessToken(code))).toMatchObject({ kind: 'invalid_code' });
    });

    it('reports a wrong secret as app_config, without the secret', async () => {
      const wrong = client({ secret: 'wrong-secret-value' });
      const error = await failure(wrong.getAccessToken(sandbox.issueCode('alice', 'snsapi_base')));
      expect(error).toMatchObject({ kind: 'app_config', errcode: 40125 });
      expect(JSON.stringify(error) + error.message).not.toContain('wrong-secret-value');
    });

    it('refuses an empty code before calling WeChat', async () => {
      expect(await failure(wx.getAccessToken(''))).toMatchObject({
        kind: 'invalid_request',
        message: 'code must be a non-empty string',
      });
    });

    it('is never retried', async () => {
      sandbox.inject({ type: 'reset' }, { endpoint: 'access_token' });
      sandbox.resetStats();
      expect(await failure(token())).toMatchObject({ kind: 'network' });
      expect(sandbox.stats.requests.access_token).toBe(1);
    });
  });

  describe('refreshToken', () => {
    it('keeps a valid token and renews an expired one', async () => {
      const first = await token();
      const same = await wx.refreshToken(first.refresh_token);
      expect(same).toMatchObject({
        access_token: first.access_token,
        refresh_token: first.refresh_token,
        openid: first.openid,
      });
      sandbox.advance(7201 * 1000);
      const renewed = await wx.refreshToken(first.refresh_token);
      expect(renewed.access_token).not.toBe(first.access_token);
      expect(await wx.checkAccessToken(renewed.access_token, renewed.openid)).toBe(true);
    });

    it('reports a refresh token past 30 days, and an unknown one, as refresh_expired', async () => {
      const first = await token();
      sandbox.advance(31 * DAY);
      expect(await failure(wx.refreshToken(first.refresh_token))).toMatchObject({
        kind: 'refresh_expired',
        errcode: 42002,
      });
      expect(await failure(wx.refreshToken('unknown'))).toMatchObject({
        kind: 'refresh_expired',
        errcode: 40030,
      });
    });

    it('retries once after errcode -1', async () => {
      const first = await token();
      sandbox.inject(
        { type: 'errcode', errcode: -1, errmsg: 'system error' },
        { endpoint: 'refresh_token' },
      );
      expect((await wx.refreshToken(first.refresh_token)).access_token).toBe(first.access_token);
    });
  });

  describe('checkAccessToken', () => {
    it('answers true, then false for an expired, unknown or foreign token', async () => {
      const t = await token();
      const bob = await token('bob');
      expect(await wx.checkAccessToken(t.access_token, t.openid)).toBe(true);
      expect(await wx.checkAccessToken('unknown', t.openid)).toBe(false);
      expect(await wx.checkAccessToken(t.access_token, bob.openid)).toBe(false);
      sandbox.advance(7201 * 1000);
      expect(await wx.checkAccessToken(t.access_token, t.openid)).toBe(false);
    });

    it('throws when WeChat cannot answer', async () => {
      const t = await token();
      sandbox.inject({ type: 'http500' }, { endpoint: 'auth', times: 2 });
      expect(await failure(wx.checkAccessToken(t.access_token, t.openid))).toMatchObject({
        kind: 'bad_response',
      });
    });
  });

  describe('getUserinfo', () => {
    it('returns the profile with post-2021 empty region fields', async () => {
      const t = await token('bob');
      const bob = sandbox.users.find((u) => u.key === 'bob')!;
      expect(await wx.getUserinfo(t.access_token, t.openid, 'en')).toEqual({
        openid: bob.openid,
        unionid: bob.unionid,
        nickname: bob.nickname,
        headimgurl: bob.headimgurl,
        sex: 0,
        province: '',
        city: '',
        country: '',
        privilege: [],
        language: '',
      });
    });

    it('reports a snsapi_base token as unauthorized_scope (48001)', async () => {
      const t = await token('alice', 'snsapi_base');
      expect(await failure(wx.getUserinfo(t.access_token, t.openid))).toMatchObject({
        kind: 'unauthorized_scope',
        errcode: 48001,
      });
    });

    it('retries once after a reset connection, and gives up after two', async () => {
      const t = await token();
      sandbox.inject({ type: 'reset' }, { endpoint: 'userinfo' });
      expect((await wx.getUserinfo(t.access_token, t.openid)).openid).toBe(t.openid);
      sandbox.inject({ type: 'reset' }, { endpoint: 'userinfo', times: 2 });
      expect(await failure(wx.getUserinfo(t.access_token, t.openid))).toMatchObject({
        kind: 'network',
      });
    });

    it('does not retry when retry is off', async () => {
      const noRetry = client({ retry: false });
      const t = await token();
      sandbox.inject({ type: 'reset' }, { endpoint: 'userinfo' });
      expect(await failure(noRetry.getUserinfo(t.access_token, t.openid))).toMatchObject({
        kind: 'network',
      });
    });
  });

  describe('getUserByCode', () => {
    it('fetches the profile for snsapi_userinfo and skips it for snsapi_base', async () => {
      const full = await wx.getUserByCode(sandbox.issueCode('carol', 'snsapi_userinfo'));
      expect(full.userinfo).toMatchObject({ openid: full.token.openid, headimgurl: '' });
      sandbox.resetStats();
      const base = await wx.getUserByCode(sandbox.issueCode('carol', 'snsapi_base'));
      expect(base.userinfo).toBeUndefined();
      expect(sandbox.stats.requests.userinfo).toBe(0);
    });
  });

  describe('transport', () => {
    it('times out a WeChat that does not answer', async () => {
      const quick = client({ timeout: 200 });
      sandbox.inject({ type: 'delay', ms: 2000 }, { endpoint: 'auth', times: 2 });
      expect(await failure(quick.checkAccessToken('t', 'o'))).toMatchObject({
        kind: 'timeout',
        message: 'WeChat /sns/auth did not answer in time',
      });
    });

    it('reports a refused connection as network', async () => {
      const nowhere = client({ apiBaseUrl: 'http://127.0.0.1:9' });
      expect(await failure(nowhere.checkAccessToken('t', 'o'))).toMatchObject({
        kind: 'network',
        message: expect.stringContaining('ECONNREFUSED'),
      });
    });

    it('reuses one keep-alive connection', async () => {
      const pooled = client();
      const t = await token();
      sandbox.resetStats();
      for (let i = 0; i < 5; i++) await pooled.checkAccessToken(t.access_token, t.openid);
      expect(sandbox.stats.connections).toBe(1);
    });

    it('sends GETs with query parameters, and no secret on refresh', async () => {
      const server = await startRecordingServer({
        body: '{"access_token":"a","refresh_token":"r","openid":"o","scope":"snsapi_base","expires_in":7200}',
      });
      try {
        const recorded = client({ apiBaseUrl: server.url });
        await recorded.getAccessToken('c0de');
        await recorded.refreshToken('r');
        const [exchange, refresh] = server.requests.map((r) => ({ method: r.method, url: r.url }));
        expect(exchange).toEqual({
          method: 'GET',
          url: `/sns/oauth2/access_token?appid=${sandbox.appid}&secret=${sandbox.secret}&code=c0de&grant_type=authorization_code`,
        });
        expect(refresh).toEqual({
          method: 'GET',
          url: `/sns/oauth2/refresh_token?appid=${sandbox.appid}&grant_type=refresh_token&refresh_token=r`,
        });
      } finally {
        await server.close();
      }
    });

    it.each(['text/html', 'application/json; encoding=utf-8', 'application/octet-stream'])(
      'parses JSON sent as %s',
      async (contentType) => {
        const server = await startRecordingServer({
          contentType,
          body: '{"errcode":0,"errmsg":"ok"}',
        });
        try {
          expect(await client({ apiBaseUrl: server.url }).checkAccessToken('t', 'o')).toBe(true);
        } finally {
          await server.close();
        }
      },
    );

    it('reports a JSON body that is not an object as bad_response', async () => {
      const server = await startRecordingServer({ body: '[1,2]' });
      try {
        expect(
          await failure(client({ apiBaseUrl: server.url }).getUserinfo('t', 'o')),
        ).toMatchObject({ kind: 'bad_response' });
      } finally {
        await server.close();
      }
    });

    it('refuses an oversized body as bad_response instead of buffering it', async () => {
      const server = await startRecordingServer({ body: `{"nickname":"${'x'.repeat(200_000)}"}` });
      try {
        expect(
          await failure(client({ apiBaseUrl: server.url }).getUserinfo('t', 'o')),
        ).toMatchObject({
          kind: 'bad_response',
          message: 'WeChat /sns/userinfo answered an oversized body',
        });
      } finally {
        await server.close();
      }
    });

    describe('through the proxy of the standard environment variables', () => {
      const saved = { ...process.env };
      afterEach(() => {
        process.env = { ...saved };
      });

      it('sends HTTP calls to HTTP_PROXY', async () => {
        const proxy = await startForwardProxy();
        try {
          Object.assign(process.env, { HTTP_PROXY: proxy.url, NO_PROXY: '' });
          const viaProxy = client();
          expect(
            (await viaProxy.getAccessToken(sandbox.issueCode('alice', 'snsapi_base'))).openid,
          ).toBe(sandbox.users[0].openid);
          expect(proxy.seen).toEqual([
            {
              method: 'GET',
              target: expect.stringMatching(`^${sandbox.url}/sns/oauth2/access_token\\?`),
            },
          ]);
        } finally {
          await proxy.close();
        }
      });

      it('tunnels HTTPS calls through HTTPS_PROXY with CONNECT, so the proxy never sees the URL', async () => {
        const proxy = await startForwardProxy();
        try {
          Object.assign(process.env, { HTTPS_PROXY: proxy.url, NO_PROXY: '' });
          // Nothing listens at the far end: the proxy answers the CONNECT with 502, which the call reports.
          expect(
            await failure(
              client({ apiBaseUrl: 'https://127.0.0.1:9', timeout: 2000 }).getAccessToken('c'),
            ),
          ).toMatchObject({
            kind: 'bad_response',
          });
          expect(proxy.seen).toEqual([{ method: 'CONNECT', target: '127.0.0.1:9' }]);
        } finally {
          await proxy.close();
        }
      });

      it('leaves hosts in NO_PROXY alone', async () => {
        const proxy = await startForwardProxy();
        try {
          Object.assign(process.env, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
          await client().getAccessToken(sandbox.issueCode('alice', 'snsapi_base'));
          expect(proxy.seen).toEqual([]);
        } finally {
          await proxy.close();
        }
      });
    });

    it('accepts an apiBaseUrl with a trailing slash', async () => {
      const server = await startRecordingServer({ body: '{"errcode":0,"errmsg":"ok"}' });
      try {
        await client({ apiBaseUrl: `${server.url}/` }).checkAccessToken('t', 'o');
        expect(server.requests[0].url).toBe('/sns/auth?access_token=t&openid=o');
      } finally {
        await server.close();
      }
    });

    it('refuses bad options with every problem named', () => {
      expect(() => new WXOAuth({ appid: '', secret: '', timeout: 0 } as never)).toThrow(
        /Invalid WXOAuth options:\n {2}- appid: is required\n {2}- secret: is required\n {2}- timeout: /,
      );
    });
  });
});
