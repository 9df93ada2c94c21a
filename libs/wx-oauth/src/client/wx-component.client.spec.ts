import { WxSandbox } from '../testing/index.js';
import { WxComponentClient } from './wx-component.client.js';
import type { WxOnBehalfOf } from './wx-oauth-client.options.js';
import { WXOAuth } from './wx-oauth.client.js';
import { WxOAuthError } from './wx-oauth.error.js';

const MERCHANT = 'wx0merchant0client';
const MINI = 'wx0merchant0mini00';
const CALLBACK = 'https://saas.example.com/auth/wechat/callback';

/** What `promise` rejects with. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as WxOAuthError,
  );

describe('the third-party platform, framework-free', () => {
  let sandbox: WxSandbox;
  let platform: WxComponentClient;
  /** The platform's token as the app's `withToken` hands it. */
  let componentToken: string;
  /** How many calls were made on the platform's behalf. */
  let calls: number;
  let onBehalf: WxOnBehalfOf;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({
      apps: [
        { appid: MERCHANT, kind: 'officialAccount' },
        { appid: MINI, kind: 'miniProgram' },
      ],
    });
  });
  beforeEach(async () => {
    platform = new WxComponentClient({
      appid: sandbox.component.appid,
      secret: sandbox.component.secret,
      apiBaseUrl: sandbox.url,
      mpBaseUrl: sandbox.url,
      timeout: 1000,
    });
    await sandbox.pushComponentTicket();
    const { component_access_token } = await platform.getComponentToken(sandbox.componentTicket()!);
    componentToken = component_access_token;
    calls = 0;
    onBehalf = {
      appid: platform.appid,
      withToken: (call) => {
        calls += 1;
        return call(componentToken);
      },
    };
    sandbox.resetStats();
  });
  afterEach(() => platform.close());
  afterAll(() => sandbox.close());

  /** A merchant's account authorised to the platform, and its authorisation's refresh token. */
  const authorise = async (appid: string) => {
    const { authCode } = await sandbox.authorizeComponent({ authorizerAppid: appid });
    return platform.queryAuth(componentToken, authCode);
  };

  /** A user's code for the merchant's account, given on the platform's behalf (the browser's trip to WeChat). */
  const codeOf = async (wx: WXOAuth, user: string) => {
    sandbox.setAutoApprove(user);
    const authorize = wx.getAuthorizeUrl(CALLBACK, 'snsapi_userinfo', { state: 'abc123' });
    const approved = await fetch(authorize.replace(/#.*$/, ''), { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    expect(callback.searchParams.get('appid')).toBe(wx.appid);
    return callback.searchParams.get('code')!;
  };

  describe('WxComponentClient', () => {
    it("gets the platform's token with the newest ticket, and refuses an older one (61006, 503)", async () => {
      const older = sandbox.componentTicket()!;
      await expect(platform.getComponentToken(older)).resolves.toMatchObject({
        component_access_token: expect.any(String),
        expires_in: 7200,
      });
      await sandbox.pushComponentTicket();
      const error = await rejectionOf(platform.getComponentToken(older));
      expect(error).toMatchObject({ kind: 'component_unavailable', errcode: 61006, status: 503 });
      expect(error.message).not.toContain(older);
      expect(error.message).not.toContain(sandbox.component.secret);
    });

    it('refuses the message Token where the platform token belongs (40001)', async () => {
      expect(await rejectionOf(platform.createPreAuthCode(sandbox.component.token))).toMatchObject({
        kind: 'invalid_token',
        errcode: 40001,
      });
    });

    it('asks WeChat to push a ticket, keeping the secret out of every message', async () => {
      await platform.startPushTicket();
      expect(sandbox.stats.requests.api_start_push_ticket).toBe(1);
      const wrong = new WxComponentClient({
        appid: sandbox.component.appid,
        secret: 'not-the-platform-secret-0123456789',
        apiBaseUrl: sandbox.url,
      });
      const error = await rejectionOf(wrong.startPushTicket());
      expect(error).toMatchObject({ kind: 'app_config', errcode: 40125 });
      expect(JSON.stringify(error)).not.toContain('not-the-platform-secret-0123456789');
      wrong.close();
    });

    it('completes an authorisation once with its auth code (api_query_auth)', async () => {
      const info = await authorise(MERCHANT);
      expect(info).toMatchObject({
        authorizer_appid: MERCHANT,
        authorizer_refresh_token: expect.any(String),
        func_info: expect.arrayContaining([{ funcscope_category: { id: 4 } }]),
      });
      expect(
        await rejectionOf(platform.queryAuth(componentToken, 'queryauthcode@@@unknown')),
      ).toMatchObject({ kind: 'invalid_code', status: 401 });
    });
  });

  describe('WXOAuth on the platform’s behalf', () => {
    let wx: WXOAuth;
    beforeEach(async () => {
      const { authorizer_refresh_token } = await authorise(MERCHANT);
      wx = new WXOAuth({
        appid: MERCHANT,
        component: { ...onBehalf, authorizerRefreshToken: authorizer_refresh_token },
        apiBaseUrl: sandbox.url,
        openBaseUrl: sandbox.url,
        timeout: 1000,
      });
      calls = 0;
    });
    afterEach(() => wx.close());

    it('names the platform on the authorize URL, after the state and before #wechat_redirect', () => {
      expect(wx.componentAppid).toBe(sandbox.component.appid);
      expect(wx.getAuthorizeUrl(CALLBACK, 'snsapi_base', { state: 'abc123' })).toBe(
        `${sandbox.url}/connect/oauth2/authorize?appid=${MERCHANT}&redirect_uri=${encodeURIComponent(CALLBACK)}` +
          `&response_type=code&scope=snsapi_base&state=abc123&component_appid=${sandbox.component.appid}#wechat_redirect`,
      );
    });

    it('exchanges and refreshes through /sns/oauth2/component/*, with the platform token', async () => {
      const { token, userinfo } = await wx.getUserByCode(await codeOf(wx, 'alice'));
      expect(token.openid).toBe(sandbox.openidOf('alice', MERCHANT));
      expect(userinfo?.openid).toBe(token.openid);
      const refreshed = await wx.refreshToken(token.refresh_token);
      expect(refreshed.openid).toBe(token.openid);
      expect(sandbox.stats.requests).toMatchObject({
        component_access_token: 1,
        component_refresh_token: 1,
      });
      expect(sandbox.stats.requests.access_token ?? 0).toBe(0);
      expect(sandbox.stats.requests.refresh_token ?? 0).toBe(0);
      expect(calls).toBe(2);
    });

    it("gets the merchant's own token through api_authorizer_token", async () => {
      const { access_token, expires_in } = await wx.getStableAccessToken();
      expect(access_token).toEqual(expect.any(String));
      expect(expires_in).toBe(7200);
      expect(sandbox.stats.requests.api_authorizer_token).toBe(1);
      expect(sandbox.stats.requests.stable_token ?? 0).toBe(0);
    });

    it("logs a merchant's mini-program user in through /sns/component/jscode2session", async () => {
      await authorise(MINI);
      const mini = new WXOAuth({ appid: MINI, component: onBehalf, apiBaseUrl: sandbox.url });
      const session = await mini.code2Session(sandbox.wxLogin('bob', MINI));
      expect(session).toMatchObject({
        openid: sandbox.openidOf('bob', MINI),
        session_key: expect.any(String),
      });
      expect(sandbox.stats.requests.component_jscode2session).toBe(1);
      expect(sandbox.stats.requests.jscode2session ?? 0).toBe(0);
      mini.close();
    });

    it('refuses what only the app itself can do (400), and a token with no refresh token', async () => {
      const bare = new WXOAuth({ appid: MERCHANT, component: onBehalf, apiBaseUrl: sandbox.url });
      expect(await rejectionOf(bare.getStableAccessToken())).toMatchObject({
        kind: 'flow_unavailable',
      });
      expect(await rejectionOf(bare.code2VerifyInfo('app-token', 'code'))).toMatchObject({
        kind: 'flow_unavailable',
        status: 400,
      });
      bare.close();
    });

    it('refuses a revoked merchant’s exchange (61003, 403)', async () => {
      const code = await codeOf(wx, 'alice');
      await sandbox.revokeComponent(MERCHANT);
      expect(await rejectionOf(wx.getAccessToken(code))).toMatchObject({
        kind: 'authorizer_revoked',
        errcode: 61003,
        status: 403,
      });
    });
  });

  it('takes its secret or a platform, exactly one', () => {
    expect(() => new WXOAuth({ appid: MERCHANT })).toThrow(/secret: is required \(or component/);
    expect(
      () => new WXOAuth({ appid: MERCHANT, secret: 'a-secret-of-its-own', component: onBehalf }),
    ).toThrow(/secret: must be left out with component/);
  });
});
