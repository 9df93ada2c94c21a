import type { HttpException, Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { WxOAuthModuleOptions } from '../../options/wx-oauth-module-options.interface.js';
import type { WxTenant, WxTenantResolver } from '../../options/wx-tenant.interface.js';
import type { WxWeComMemberProfile } from '../../profile/wx-wecom-profile.js';
import { WxMemoryStore } from '../../store/wx-memory-store.js';
import { WxSandbox } from '../../testing/index.js';
import { ManualClock } from '../../utils/manual-clock.spec-helper.js';
import {
  compileWxOAuth,
  cookieHeader,
  fakeRequest,
  RecordingValidator,
  runStrategy,
  type StrategyOutcome,
} from '../../wx-oauth.spec-helper.js';
import type { WxWeComLoginRouteOptions } from './wx-wecom-login-route.decorator.js';
import { WxWeComLoginPanel } from './wx-wecom-login-panel.js';
import { WxWeComStrategy } from './wx-wecom.strategy.js';

const CALLBACK = 'https://app.example.com/auth/wecom';
const IN_WECOM =
  'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/140.0 Safari/537.36';

/** What an outcome's error answers. */
const answerOf = (outcome: StrategyOutcome): { status: number; message?: string } => {
  const { error } = outcome as { error: HttpException };
  return { status: error.getStatus(), ...(error.getResponse() as object) };
};

describe('WxWeComStrategy', () => {
  let sandbox: WxSandbox;
  let moduleRef: TestingModule | undefined;
  let strategy: WxWeComStrategy;
  let clock: ManualClock;

  const wecom = () => {
    const { agentid, secret } = sandbox.corpApp();
    return { corpid: sandbox.corpid, agentid, secret, callbackURL: CALLBACK };
  };

  /** The module with a WeCom app alone (or `extra`), beside the spec's validator. */
  const compile = async (
    extra: Partial<WxOAuthModuleOptions> = {},
    providers: Provider[] = [RecordingValidator],
  ) => {
    await moduleRef?.close();
    clock = new ManualClock();
    ({ moduleRef } = await compileWxOAuth(
      {
        wecom: wecom(),
        openBaseUrl: sandbox.url,
        wecomApiBaseUrl: sandbox.url,
        wecomLoginBaseUrl: sandbox.url,
        store: new WxMemoryStore({}, clock),
        ...extra,
      },
      clock,
      providers,
    ));
    strategy = moduleRef.get(WxWeComStrategy);
  };

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  beforeEach(async () => {
    sandbox.clearFaults();
    RecordingValidator.seen = [];
    RecordingValidator.answer = (profile) => profile;
    await compile();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await sandbox.close();
  });

  /** A login start in `userAgent`'s browser, and the callback WeCom sends after it with a code. */
  const startLogin = async (options?: WxWeComLoginRouteOptions, userAgent = IN_WECOM) => {
    const start = fakeRequest('/auth/wecom?returnTo=/desk', { 'User-Agent': userAgent });
    const outcome = (await runStrategy(strategy, start.req, options)) as { redirect: string };
    const state = new URL(outcome.redirect.replace('#wechat_redirect', '')).searchParams.get(
      'state',
    )!;
    const cookie = cookieHeader(start.res);
    const callback = (code: string) =>
      fakeRequest(`/auth/wecom?code=${code}&state=${state}`, { cookie });
    return { redirect: outcome.redirect, state, callback };
  };

  /** A whole login of `user`, the code as WeCom gives it after the page. */
  const logIn = async (
    user: string,
    options: WxWeComLoginRouteOptions = {},
    consent: { agree?: boolean; web?: boolean } = {},
  ) => {
    const { callback } = await startLogin(options, consent.web ? DESKTOP : IN_WECOM);
    const code = sandbox.weComCode({ user, scope: options.scope, ...consent });
    return runStrategy(strategy, callback(code).req, options);
  };

  describe('the login start', () => {
    it('inside the WeCom client, redirects to the authorize page in WeCom order, agentid last', async () => {
      const { redirect, state } = await startLogin({ scope: 'snsapi_privateinfo' });
      expect(state).toMatch(/^[0-9a-f]{32}$/);
      expect(redirect).toBe(
        `${sandbox.url}/connect/oauth2/authorize?appid=${sandbox.corpid}&redirect_uri=${encodeURIComponent(CALLBACK)}` +
          `&response_type=code&scope=snsapi_privateinfo&state=${state}&agentid=${sandbox.corpApp().agentid}#wechat_redirect`,
      );
    });

    it('asks for snsapi_base unless the route asks for details', async () => {
      const { redirect } = await startLogin();
      expect(redirect).toContain('&scope=snsapi_base&');
    });

    it("elsewhere, redirects to WeCom's web login page for the corp's app", async () => {
      const { redirect, state } = await startLogin({}, DESKTOP);
      expect(redirect).toBe(
        `${sandbox.url}/wwlogin/sso/login?login_type=CorpApp&appid=${sandbox.corpid}` +
          `&agentid=${sandbox.corpApp().agentid}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=${state}`,
      );
    });

    it("refuses a WeChat scope (a route's @WxAuthScope) with a 400", async () => {
      const outcome = await runStrategy(strategy, fakeRequest('/auth/wecom').req, {
        scope: 'snsapi_userinfo',
      });
      expect(answerOf(outcome)).toMatchObject({ status: 400, kind: 'invalid_request' });
    });

    it('refuses a site without a WeCom app before the browser leaves it (400)', async () => {
      await compile({
        wecom: undefined,
        appid: 'wx0app',
        secret: 'secret-0123456789',
        callbackURL: 'https://app.example.com/auth/wechat/callback',
      });
      const outcome = await runStrategy(strategy, fakeRequest('/auth/wecom').req);
      expect(answerOf(outcome)).toMatchObject({
        status: 400,
        kind: 'flow_unavailable',
        message: expect.stringContaining('WX_WECOM_CORPID'),
      });
    });
  });

  describe('a member', () => {
    it('logs in with the userid alone without consent, and the state hands back returnTo and the app', async () => {
      const outcome = (await logIn('zhangsan')) as { success: WxWeComMemberProfile; info: unknown };
      expect(outcome.success).toEqual({
        provider: 'wecom',
        via: 'wecom',
        member: true,
        corpid: sandbox.corpid,
        agentid: sandbox.corpApp().agentid,
        userid: 'ZhangSan',
        id: 'ZhangSan',
        raw: { userinfo: expect.objectContaining({ userid: 'ZhangSan' }) },
      });
      expect(outcome.info).toEqual({
        state: { returnTo: '/desk', appid: `${sandbox.corpid}-${sandbox.corpApp().agentid}` },
      });
      expect(RecordingValidator.seen).toEqual([{ profile: outcome.success, tokens: undefined }]);
    });

    it('after consent, has the details the member has, and never a user_ticket', async () => {
      const { success } = (await logIn('zhangsan', { scope: 'snsapi_privateinfo' })) as {
        success: WxWeComMemberProfile;
      };
      expect(success).toMatchObject({
        userid: 'ZhangSan',
        name: '张三',
        mobile: '13800138000',
        email: 'zhangsan@sandbox.test',
        bizMail: 'zhangsan@sandbox.wecom.work',
        gender: 'male',
        avatar: expect.stringMatching(/^http/),
      });
      expect(JSON.stringify(success)).not.toContain('user_ticket');
    });

    it('leaves out what a member has not: no email, no mobile, no avatar, no gender', async () => {
      const lisi = ((await logIn('lisi', { scope: 'snsapi_privateinfo' })) as { success: object })
        .success;
      expect(lisi).toMatchObject({ name: '李四', mobile: '13900139000', gender: 'female' });
      expect(lisi).not.toHaveProperty('email');
      expect(lisi).not.toHaveProperty('bizMail');
      const wangwu = (
        (await logIn('wangwu', { scope: 'snsapi_privateinfo' })) as { success: object }
      ).success;
      for (const field of ['mobile', 'email', 'avatar', 'gender'])
        expect(wangwu).not.toHaveProperty(field);
      expect(wangwu).toMatchObject({ userid: 'WangWu', name: '王五' });
    });

    it('declining the consent logs in with the userid alone', async () => {
      const { success } = (await logIn(
        'zhangsan',
        { scope: 'snsapi_privateinfo' },
        { agree: false },
      )) as { success: object };
      expect(success).toMatchObject({ member: true, userid: 'ZhangSan' });
      expect(success).not.toHaveProperty('name');
      expect(success).not.toHaveProperty('mobile');
    });

    it('on the web login, logs in with the userid', async () => {
      const { success } = (await logIn('lisi', {}, { web: true })) as { success: object };
      expect(success).toMatchObject({ member: true, userid: 'LiSi' });
    });
  });

  describe('a non-member', () => {
    it('is refused by default with a 403 that says why, before the validator', async () => {
      expect(answerOf(await logIn('guest'))).toMatchObject({
        status: 403,
        kind: 'not_member',
        message: expect.stringContaining('members of the corp'),
      });
      expect(RecordingValidator.seen).toEqual([]);
    });

    it('reaches the validator on a route that accepts them: a WeChat user, an external contact', async () => {
      const guest = (await logIn('guest', { nonMembers: 'accept' })) as { success: object };
      expect(guest.success).toMatchObject({
        member: false,
        id: expect.any(String),
        openid: expect.any(String),
      });
      expect(guest.success).not.toHaveProperty('externalUserid');
      const customer = (await logIn('customer', { nonMembers: 'accept' })) as { success: object };
      expect(customer.success).toMatchObject({
        member: false,
        openid: expect.any(String),
        externalUserid: expect.any(String),
      });
    });

    it('is decided by the route that started the login, whichever route WeCom brings it back to', async () => {
      // WeCom returns every login to the one callbackURL, a route with options of its own.
      const acceptedAtStart = await startLogin({ nonMembers: 'accept' });
      const guest = sandbox.weComCode({ user: 'guest' });
      const accepted = await runStrategy(strategy, acceptedAtStart.callback(guest).req, {});
      expect(accepted).toMatchObject({ success: { member: false } });
      // What the state kept is the login kind's: the app's req.authInfo.state has the usual fields alone.
      expect((accepted as { info: unknown }).info).toEqual({
        state: { returnTo: '/desk', appid: `${sandbox.corpid}-${sandbox.corpApp().agentid}` },
      });
      const { callback } = await startLogin({});
      const customer = sandbox.weComCode({ user: 'customer' });
      const refused = await runStrategy(strategy, callback(customer).req, { nonMembers: 'accept' });
      expect(answerOf(refused)).toMatchObject({ status: 403, kind: 'not_member' });
      // A login no route started (the panel's state) is the callback route's to decide.
      const page = fakeRequest('/login');
      const panel = await moduleRef!
        .get(WxWeComLoginPanel)
        .settings(page.req, page.res, { returnTo: '/desk' });
      const guestCode = sandbox.weComCode({ user: 'guest', web: true });
      const panelLogin = fakeRequest(`/auth/wecom?code=${guestCode}&state=${panel.state}`, {
        cookie: cookieHeader(page.res),
      });
      expect(await runStrategy(strategy, panelLogin.req, { nonMembers: 'accept' })).toMatchObject({
        success: { member: false },
      });
    });
  });

  describe('the state', () => {
    it('is single-use: a replay after WeCom’s window is 401, a repeat within it shares the login', async () => {
      const { callback } = await startLogin();
      const code = sandbox.weComCode({ user: 'zhangsan' });
      const first = await runStrategy(strategy, callback(code).req);
      const repeat = await runStrategy(strategy, callback(code).req);
      expect(repeat).toEqual(first);
      clock.advance(10_000);
      expect(answerOf(await runStrategy(strategy, callback(code).req))).toMatchObject({
        status: 401,
        kind: 'invalid_state',
      });
    });

    it('refuses a callback without the cookie of the browser that started it', async () => {
      const { state } = await startLogin();
      const code = sandbox.weComCode({ user: 'zhangsan' });
      const outcome = await runStrategy(
        strategy,
        fakeRequest(`/auth/wecom?code=${code}&state=${state}`).req,
      );
      expect(answerOf(outcome)).toMatchObject({ status: 401, kind: 'invalid_state' });
    });

    it('answers a return without a code as a denial (401)', async () => {
      const { state } = await startLogin();
      const outcome = await runStrategy(strategy, fakeRequest(`/auth/wecom?state=${state}`).req);
      expect(answerOf(outcome)).toMatchObject({ status: 401, kind: 'denied' });
    });
  });

  describe('the corp token', () => {
    const gettokens = () => sandbox.stats.requests.gettoken ?? 0;

    it('is fetched once for many logins', async () => {
      sandbox.resetStats();
      for (const user of ['zhangsan', 'lisi', 'wangwu'])
        expect(await logIn(user, { scope: 'snsapi_privateinfo' })).toHaveProperty('success');
      expect(gettokens()).toBe(1);
    });

    it('is fetched again once when WeCom calls it invalid (40014, 42001)', async () => {
      for (const errcode of [40014, 42001]) {
        await compile();
        sandbox.resetStats();
        sandbox.inject({ type: 'errcode', errcode }, { endpoint: 'auth_getuserinfo' });
        expect(await logIn('zhangsan')).toHaveProperty('success');
        expect(gettokens()).toBe(2);
      }
    });

    it('refused even fresh is WeCom’s failure (502), not the user’s', async () => {
      sandbox.inject(
        { type: 'errcode', errcode: 40014 },
        { endpoint: 'auth_getuserinfo', times: 2 },
      );
      expect(answerOf(await logIn('zhangsan'))).toMatchObject({ status: 502, errcode: 40014 });
    });
  });

  describe("WeCom's errors", () => {
    it('60020: 502, telling what to set in the admin console, naming the app', async () => {
      const { agentid } = sandbox.corpApp();
      await compile({ store: new WxMemoryStore({}, new ManualClock()) });
      sandbox.setIpTrusted(sandbox.corpid, agentid, false);
      try {
        const answer = answerOf(await logIn('zhangsan'));
        expect(answer).toMatchObject({ status: 502, kind: 'app_config', errcode: 60020 });
        expect(answer.message).toContain('trusted IPs: add it in the WeCom admin console');
        expect(answer.message).toContain(`WeCom app ${sandbox.corpid} (agentid ${agentid})`);
        expect(answer.message).not.toContain(sandbox.corpApp().secret);
      } finally {
        sandbox.setIpTrusted(sandbox.corpid, agentid, true);
      }
    });

    it('a used or expired code: 401 invalid_code', async () => {
      const { callback } = await startLogin();
      const code = sandbox.weComCode({ user: 'zhangsan' });
      await runStrategy(strategy, callback(code).req);
      const again = await startLogin();
      expect(answerOf(await runStrategy(strategy, again.callback(code).req))).toMatchObject({
        status: 401,
        kind: 'invalid_code',
        errcode: 40029,
      });
    });

    it.each([
      { name: '-1', fault: { type: 'errcode', errcode: -1 } as const, status: 502, kind: 'busy' },
      { name: 'HTTP 500', fault: { type: 'http500' } as const, status: 502, kind: 'bad_response' },
      {
        name: 'a hang',
        fault: { type: 'delay', ms: 3_000 } as const,
        status: 504,
        kind: 'timeout',
      },
    ])('$name answers $status', async ({ fault, status, kind }) => {
      await compile({ timeout: 300 });
      sandbox.inject(fault, { endpoint: 'gettoken', times: 2 });
      expect(answerOf(await logIn('zhangsan'))).toMatchObject({ status, kind });
    });

    it('puts no secret, token, code or ticket in any message', async () => {
      sandbox.inject(
        { type: 'errcode', errcode: 40014 },
        { endpoint: 'auth_getuserdetail', times: 2 },
      );
      const { callback } = await startLogin({ scope: 'snsapi_privateinfo' });
      const code = sandbox.weComCode({ user: 'zhangsan', scope: 'snsapi_privateinfo' });
      const answer = answerOf(await runStrategy(strategy, callback(code).req));
      expect(answer.status).toBe(502);
      const text = JSON.stringify(answer);
      expect(text).not.toContain(sandbox.corpApp().secret);
      expect(text).not.toContain(code);
    });
  });

  describe('two apps of one corp, and tenants', () => {
    const CORP = 'ww0two0apps0corp';
    let corp: WxSandbox;
    /** Every key and value the store was given. */
    let written: string[];

    class SeenStore extends WxMemoryStore {
      override set(key: string, value: string, ttlMs: number) {
        written.push(key, value);
        return super.set(key, value, ttlMs);
      }
      override setIfLocked(key: string, value: string, ttlMs: number, lockId: string) {
        written.push(key, value);
        return super.setIfLocked(key, value, ttlMs, lockId);
      }
    }

    beforeAll(async () => {
      corp = await WxSandbox.start({
        corps: [{ corpid: CORP, apps: [{ agentid: '1000002' }, { agentid: '1000003' }] }],
      });
    });
    afterAll(() => corp.close());
    beforeEach(() => {
      written = [];
    });

    const appOf = (agentid: string) => ({
      corpid: CORP,
      agentid,
      secret: corp.corpApp(CORP, agentid).secret,
      callbackURL: CALLBACK,
    });
    const urls = () => ({
      openBaseUrl: corp.url,
      wecomApiBaseUrl: corp.url,
      wecomLoginBaseUrl: corp.url,
    });
    /** A member's login through the app `agentid` of the module `strategyOf` gives. */
    const logInThrough = async (agentid: string, host = 'app.example.com') => {
      const start = fakeRequest('/auth/wecom', { 'User-Agent': IN_WECOM, host });
      const { redirect } = (await runStrategy(strategy, start.req)) as { redirect: string };
      expect(redirect).toContain(`appid=${CORP}&`);
      expect(redirect).toContain(`&agentid=${agentid}#`);
      const state = /state=([0-9a-f]{32})/.exec(redirect)![1];
      const code = corp.weComCode({ user: 'zhangsan', corpid: CORP, agentid });
      const callback = fakeRequest(`/auth/wecom?code=${code}&state=${state}`, {
        cookie: cookieHeader(start.res),
        host,
      });
      return runStrategy(strategy, callback.req);
    };

    it('keys the corp token on the corpid and a digest of each app’s secret, never the secret', async () => {
      const store = new SeenStore({}, new ManualClock());
      for (const agentid of ['1000002', '1000003']) {
        await compile({ wecom: appOf(agentid), store, ...urls() });
        expect(await logInThrough(agentid)).toMatchObject({
          success: { corpid: CORP, agentid, userid: 'ZhangSan' },
        });
      }
      const tokenKeys = written.filter((text) => text.startsWith('wecom-token:'));
      expect(new Set(tokenKeys).size).toBe(2);
      for (const agentid of ['1000002', '1000003'])
        expect(written.join('\n')).not.toContain(corp.corpApp(CORP, agentid).secret);
    });

    it("logs each tenant's members in through the tenant's own WeCom app", async () => {
      const TENANTS: Record<string, WxTenant> = {
        acme: { id: 'acme', wecom: appOf('1000002') },
        bolt: { id: 'bolt', wecom: appOf('1000003') },
        // A tenant's row without the URL its WeCom logins come back to.
        crux: { id: 'crux', wecom: { ...appOf('1000003'), callbackURL: undefined as never } },
      };
      const resolver: WxTenantResolver = {
        tenantOf: ({ hostname }) => hostname.split('.')[0],
        load: (id) => TENANTS[id],
        tenantOfAppid: () => undefined,
      };
      await compile({
        wecom: undefined,
        tenants: { resolver },
        state: { secret: 'wecom-tenants-state-secret-01' },
        callbackURL: 'https://login.example.com/auth/wechat/callback',
        ...urls(),
      });
      expect(await logInThrough('1000002', 'acme.example.com')).toMatchObject({
        success: { agentid: '1000002' },
        info: { state: { tenant: 'acme' } },
      });
      expect(await logInThrough('1000003', 'bolt.example.com')).toMatchObject({
        success: { agentid: '1000003' },
        info: { state: { tenant: 'bolt' } },
      });
      const crux = fakeRequest('/auth/wecom', { host: 'crux.example.com' });
      const answer = answerOf(await runStrategy(strategy, crux.req));
      expect(answer).toMatchObject({
        status: 502,
        kind: 'app_config',
        message:
          'Tenant crux from the tenant resolver: wecom needs a corpid, an agentid, a secret and an absolute http(s) callbackURL',
      });
      expect(JSON.stringify(answer)).not.toContain(corp.corpApp(CORP, '1000003').secret);
    });
  });
});
