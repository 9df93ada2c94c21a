import { createHash } from 'node:crypto';
import { Controller, type HttpException, Post, type Provider } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { AuthGuard } from '@nestjs/passport';
import type { TestingModule } from '@nestjs/testing';
import { WeChatStub } from '../../client/wechat-stub.spec-helper.js';
import { WxAuthGuard } from '../../guard/wx-auth.guard.js';
import type { WxOAuthModuleOptions } from '../../options/wx-oauth-module-options.interface.js';
import type { WxTenant, WxTenantResolver } from '../../options/wx-tenant.interface.js';
import type { WxMobileAppProfile } from '../../profile/wx-profile.js';
import { WxMemoryStore } from '../../store/wx-memory-store.js';
import { WxTokenService } from '../../tokens/wx-token.service.js';
import { ManualClock } from '../../utils/manual-clock.spec-helper.js';
import { WX_STRATEGIES } from '../../wx-oauth.constants.js';
import {
  compileWxOAuth,
  fakeRequest,
  idOf,
  RecordingValidator,
  runStrategy,
  type StrategyOutcome,
} from '../../wx-oauth.spec-helper.js';
import { WxAppLoginRoute } from './wx-app-login-route.decorator.js';
import { WxAppStates } from './wx-app-states.js';
import { WxAppStrategy } from './wx-app.strategy.js';

const mobileApp = { appid: 'wx0m0b11e0app001', secret: 'mobile-app-spec-secret-01234' };
const multiEndApp = { appid: 'wx0mu1t1end0app1', secret: 'multi-end-spec-secret-012345' };
const OPENID = 'oMobileUser0000000000000001';
const UNIONID = 'uPerson0000000000000000001';
const CODE = '071Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op9Qr0St';
const ACCESS_TOKEN = 'MOBILE_ACCESS_TOKEN_0123456789';
const REFRESH_TOKEN = 'MOBILE_REFRESH_TOKEN_0123456789';
const APP_TOKEN = 'MULTIEND_APP_TOKEN_0123456789';
const AVATAR = 'https://thirdwx.qlogo.cn/mmopen/vi_32/band/132';
const TWO_HOURS = 7_200_000;

/** `/donut/code2verifyinfo`'s answer for a WeChat login of the multi-end app. */
const VERIFY_INFO = {
  errcode: 0,
  errmsg: 'ok',
  login_info: { type: 'weixinApp', login_time: 1_767_225_600 },
  user_info: {
    user_id: 'donut-user-0001',
    openapp_info: {
      appid: mobileApp.appid,
      openid: OPENID,
      unionid: UNIONID,
      nickname: 'Band',
      headimgurl: AVATAR,
    },
  },
};

/** The store as the login uses it: every key claimed, in order, beside WeChat's calls. */
class EventStore extends WxMemoryStore {
  constructor(
    clock: ManualClock,
    private readonly events: string[],
  ) {
    super({}, clock);
  }

  override claim(key: string, value: string, ttlMs: number) {
    this.events.push(`claim ${key}`);
    return super.claim(key, value, ttlMs);
  }
}

/** A native app's POST of `body` to its login route at `host`, as Express parsed it, from one address. */
function appLogin(body: unknown, method = 'POST', host = 'app.example.com') {
  const { req } = fakeRequest(
    '/auth/wechat/app',
    { 'content-type': 'application/json', host },
    method,
  );
  return Object.assign(req, { ip: '203.0.113.7' }, body === undefined ? {} : { body });
}

@Controller('auth/wechat/app')
class AppLoginController {
  @Post()
  @WxAppLoginRoute()
  logIn(): void {}

  @Post('unchecked')
  @WxAppLoginRoute({ checkState: false })
  unchecked(): void {}
}

describe('WxAppStrategy', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let events: string[];
  let wechat: WeChatStub;
  let strategy: WxAppStrategy;

  const compile = async (
    options: Partial<WxOAuthModuleOptions> = { mobileApp, multiEndApp },
    providers: Provider[] = [RecordingValidator],
  ) => {
    const record = (path: string, answer: Record<string, unknown>) => () => {
      events.push(`wechat ${path}`);
      return answer;
    };
    wechat = new WeChatStub({
      '/sns/oauth2/access_token': record('/sns/oauth2/access_token', {
        access_token: ACCESS_TOKEN,
        expires_in: 7200,
        refresh_token: REFRESH_TOKEN,
        openid: OPENID,
        scope: 'snsapi_userinfo',
        unionid: UNIONID,
      }),
      '/sns/userinfo': (call) => ({
        openid: call.params.openid,
        nickname: 'Band',
        sex: 0,
        headimgurl: AVATAR,
        privilege: [],
        unionid: UNIONID,
      }),
      '/sns/oauth2/refresh_token': {
        access_token: 'MOBILE_ACCESS_TOKEN_REFRESHED',
        expires_in: 7200,
        refresh_token: REFRESH_TOKEN,
        openid: OPENID,
        scope: 'snsapi_userinfo',
      },
      '/cgi-bin/stable_token': { access_token: APP_TOKEN, expires_in: 7200 },
      '/donut/code2verifyinfo': record('/donut/code2verifyinfo', VERIFY_INFO),
    });
    ({ moduleRef } = await compileWxOAuth(
      { ...options, store: new EventStore(clock, events), axios: wechat.axios },
      clock,
      providers,
    ));
    strategy = moduleRef.get(WxAppStrategy);
  };

  beforeEach(async () => {
    clock = new ManualClock();
    events = [];
    RecordingValidator.seen = [];
    RecordingValidator.answer = (profile) => ({ member: idOf(profile) });
    await compile();
  });
  afterEach(() => moduleRef.close());

  /** A state the server issued to the app. */
  const issued = async () => (await moduleRef.get(WxAppStates).issue(appLogin(undefined))).state;

  const errorOf = (outcome: StrategyOutcome) => {
    expect(outcome).toHaveProperty('error');
    return (outcome as { error: HttpException }).error;
  };

  const seenProfile = () => {
    expect(RecordingValidator.seen).toHaveLength(1);
    return RecordingValidator.seen[0].profile as WxMobileAppProfile;
  };

  const savedToken = () => moduleRef.get(WxTokenService).getAccessTokenFor(OPENID, mobileApp.appid);

  describe("a mobile app's OpenSDK code", () => {
    it("logs the app's user in: the mobile app's exchange and userinfo, a mobileApp profile with the unionid and no token", async () => {
      const outcome = await runStrategy(strategy, appLogin({ code: CODE, state: await issued() }));
      expect(outcome).toMatchObject({ success: { member: OPENID } });
      expect(wechat.calls.map(({ method, path }) => `${method} ${path}`)).toEqual([
        'GET /sns/oauth2/access_token',
        'GET /sns/userinfo',
      ]);
      expect(wechat.calls[0].params).toEqual({
        appid: mobileApp.appid,
        secret: mobileApp.secret,
        code: CODE,
        grant_type: 'authorization_code',
      });
      expect(wechat.calls[1].params).toMatchObject({ access_token: ACCESS_TOKEN, openid: OPENID });
      const profile = seenProfile();
      expect(profile).toMatchObject({
        provider: 'wechat',
        via: 'mobileApp',
        appid: mobileApp.appid,
        id: OPENID,
        openid: OPENID,
        unionid: UNIONID,
        nickname: 'Band',
        headimgurl: AVATAR,
        scope: ['snsapi_userinfo'],
        isSnapshotUser: false,
        raw: { token: { openid: OPENID, expires_in: 7200 }, userinfo: { nickname: 'Band' } },
      });
      // The tokens come beside the profile, as the browser login's, never inside it.
      expect(RecordingValidator.seen[0].tokens).toMatchObject({
        access_token: ACCESS_TOKEN,
        refresh_token: REFRESH_TOKEN,
        openid: OPENID,
      });
      const handedOut = JSON.stringify([profile, outcome]);
      for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, mobileApp.secret, 'access_token'])
        expect(handedOut).not.toContain(secret);
    });

    it('saves the tokens before the validator runs, for it and WxTokenService to use and refresh under the mobile appid', async () => {
      let savedWhileValidating: unknown;
      RecordingValidator.answer = (profile) =>
        savedToken().then(
          (token) => {
            savedWhileValidating = token;
            return { member: idOf(profile) };
          },
          (error: unknown) => {
            savedWhileValidating = error;
            return { member: idOf(profile) };
          },
        );
      const outcome = await runStrategy(strategy, appLogin({ code: CODE, state: await issued() }));
      expect(outcome).toHaveProperty('success');
      expect(savedWhileValidating).toBe(ACCESS_TOKEN);
      expect(wechat.callsTo('/sns/oauth2/refresh_token')).toHaveLength(0);
      await expect(savedToken()).resolves.toBe(ACCESS_TOKEN);
      clock.advance(TWO_HOURS);
      await expect(savedToken()).resolves.toBe('MOBILE_ACCESS_TOKEN_REFRESHED');
      expect(wechat.callsTo('/sns/oauth2/refresh_token')[0].params).toMatchObject({
        appid: mobileApp.appid,
        refresh_token: REFRESH_TOKEN,
      });
    });

    it("refuses the login with 401 denied when the app's validator answers null", async () => {
      RecordingValidator.answer = () => null;
      const error = errorOf(
        await runStrategy(strategy, appLogin({ code: CODE, state: await issued() })),
      );
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind: 'denied' });
      expect(RecordingValidator.seen).toHaveLength(1);
    });

    it('hands on the profile as the user when the app has no validator', async () => {
      await moduleRef.close();
      await compile(undefined, []);
      const outcome = (await runStrategy(
        strategy,
        appLogin({ code: CODE, state: await issued() }),
      )) as { success: WxMobileAppProfile };
      expect(outcome.success).toMatchObject({ via: 'mobileApp', openid: OPENID, unionid: UNIONID });
      expect(JSON.stringify(outcome.success)).not.toContain(ACCESS_TOKEN);
    });

    it("goes by the unionid with idField: 'unionid'", async () => {
      await moduleRef.close();
      await compile({ mobileApp, multiEndApp, idField: 'unionid' });
      await runStrategy(strategy, appLogin({ code: CODE, state: await issued() }));
      expect(seenProfile()).toMatchObject({ id: UNIONID, openid: OPENID });
    });
  });

  describe('the state', () => {
    it('is spent before WeChat is called', async () => {
      const state = await issued();
      const digest = createHash('sha256').update(state).digest('base64url');
      await runStrategy(strategy, appLogin({ code: CODE, state }));
      const spent = events.indexOf(`claim app-state:${digest}:used`);
      expect(spent).toBeGreaterThanOrEqual(0);
      expect(spent).toBeLessThan(events.indexOf('wechat /sns/oauth2/access_token'));
    });

    it.each([
      ['no state', () => Promise.resolve({ code: CODE })],
      ['an empty state of a form', () => Promise.resolve({ code: CODE, state: '' })],
      ['a malformed state', () => Promise.resolve({ code: CODE, state: 'not-issued' })],
      ['an unknown state', () => Promise.resolve({ code: CODE, state: 'A'.repeat(43) })],
      ['a multi-end login with no state', () => Promise.resolve({ code: CODE, multiEnd: true })],
    ])('refuses %s with 401 invalid_state, WeChat never called', async (_name, body) => {
      const error = errorOf(await runStrategy(strategy, appLogin(await body())));
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_state' });
      expect(wechat.calls).toHaveLength(0);
      expect(RecordingValidator.seen).toHaveLength(0);
    });

    it('refuses a state already used, even by a login that failed at WeChat', async () => {
      const state = await issued();
      wechat.once('/sns/oauth2/access_token', { errcode: 40029, errmsg: 'invalid code' });
      expect(
        errorOf(await runStrategy(strategy, appLogin({ code: CODE, state }))).getStatus(),
      ).toBe(401);
      const again = errorOf(await runStrategy(strategy, appLogin({ code: 'other-code', state })));
      expect(again.getResponse()).toMatchObject({ kind: 'invalid_state' });
      expect(wechat.callsTo('/sns/oauth2/access_token')).toHaveLength(1);
    });

    it('refuses a state past appState.ttl', async () => {
      const state = await issued();
      clock.advance(300_000);
      const error = errorOf(await runStrategy(strategy, appLogin({ code: CODE, state })));
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_state' });
      expect(wechat.calls).toHaveLength(0);
    });

    it('is not asked for with checkState: false', async () => {
      const outcome = await runStrategy(strategy, appLogin({ code: CODE }), { checkState: false });
      expect(outcome).toMatchObject({ success: { member: OPENID } });
      expect(events.filter((event) => event.includes('app-state'))).toEqual([]);
    });

    it("reaches the strategy from @WxAppLoginRoute()'s options through WxAuthGuard", async () => {
      await moduleRef.close();
      await compile(undefined, [RecordingValidator, WxAuthGuard]);
      const guard = moduleRef.get(WxAuthGuard);
      const contextOf = (handler: 'logIn' | 'unchecked', body: object) => {
        const req = appLogin(body);
        const context = new ExecutionContextHost(
          [req, req.res],
          AppLoginController,
          AppLoginController.prototype[handler],
        );
        context.setType('http');
        return { context, req: req as { user?: unknown } };
      };

      const unchecked = contextOf('unchecked', { code: CODE });
      await expect(guard.canActivate(unchecked.context)).resolves.toBe(true);
      expect(unchecked.req.user).toEqual({ member: OPENID });

      const checked = contextOf('logIn', { code: CODE });
      const error = (await guard
        .canActivate(checked.context)
        .catch((e: unknown) => e)) as HttpException;
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_state' });
      expect(checked.req.user).toBeUndefined();
      expect(wechat.callsTo('/sns/oauth2/access_token')).toHaveLength(1);
    });
  });

  describe("a multi-end app's code", () => {
    it("logs in through code2verifyinfo with the multi-end app's token and appsecret, saving no token", async () => {
      const outcome = await runStrategy(
        strategy,
        appLogin({ code: CODE, state: await issued(), multiEnd: true }),
      );
      expect(outcome).toMatchObject({ success: { member: OPENID } });
      expect(wechat.calls.map(({ method, path }) => `${method} ${path}`)).toEqual([
        'POST /cgi-bin/stable_token',
        'GET /donut/code2verifyinfo',
      ]);
      expect(wechat.calls[0].body).toMatchObject({
        grant_type: 'client_credential',
        appid: multiEndApp.appid,
      });
      const [verify] = wechat.callsTo('/donut/code2verifyinfo');
      expect(verify.params).toEqual({
        access_token: APP_TOKEN,
        appid: multiEndApp.appid,
        appsecret: multiEndApp.secret,
        code: CODE,
        grant_type: 'authorization_code',
      });
      expect(verify.params).not.toHaveProperty('secret');
      expect(seenProfile()).toEqual({
        provider: 'wechat',
        via: 'mobileApp',
        appid: mobileApp.appid,
        id: OPENID,
        openid: OPENID,
        unionid: UNIONID,
        nickname: 'Band',
        headimgurl: AVATAR,
        scope: [],
        isSnapshotUser: false,
        raw: { verifyInfo: VERIFY_INFO },
      });
      expect(RecordingValidator.seen[0].tokens).toBeUndefined();
      await expect(savedToken()).rejects.toMatchObject({ kind: 'refresh_expired' });
    });

    it("takes the flag from a form, and reuses the multi-end app's token", async () => {
      for (const multiEnd of ['true', '1']) {
        const body = Object.assign(Object.create(null) as object, {
          code: CODE,
          state: await issued(),
          multiEnd,
        });
        expect(await runStrategy(strategy, appLogin(body))).toHaveProperty('success');
      }
      expect(wechat.callsTo('/donut/code2verifyinfo')).toHaveLength(2);
      expect(wechat.callsTo('/cgi-bin/stable_token')).toHaveLength(1);
      expect(wechat.callsTo('/sns/oauth2/access_token')).toHaveLength(0);
    });

    it('refuses a login that was not WeChat (no openapp_info) with 401 invalid_code', async () => {
      wechat.once('/donut/code2verifyinfo', {
        errcode: 0,
        errmsg: 'ok',
        login_info: { type: 'phoneNumber' },
        user_info: { user_id: 'donut-user-0002', phone_info: { purePhoneNumber: '13800000000' } },
      });
      const error = errorOf(
        await runStrategy(
          strategy,
          appLogin({ code: CODE, state: await issued(), multiEnd: true }),
        ),
      );
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_code' });
      expect(error.message).toContain('phoneNumber');
      expect(error.message).not.toContain('13800000000');
      expect(RecordingValidator.seen).toHaveLength(0);
    });

    it.each([
      [10001000, 'invalid code', 'invalid_code', 401],
      [10001001, 'code expired', 'invalid_code', 401],
      [10001003, 'invalid appsecret', 'app_config', 502],
    ])('answers errcode %i with its kind and status', async (errcode, errmsg, kind, status) => {
      wechat.once('/donut/code2verifyinfo', {
        errcode,
        errmsg: `${errmsg} ${multiEndApp.secret}, rid: 6650f0a1-1b2c3d4e`,
      });
      const error = errorOf(
        await runStrategy(
          strategy,
          appLogin({ code: CODE, state: await issued(), multiEnd: true }),
        ),
      );
      expect(error.getStatus()).toBe(status);
      expect(error.getResponse()).toMatchObject({ kind, errcode });
      const shown = JSON.stringify(error.getResponse()) + error.message;
      for (const secret of [multiEndApp.secret, APP_TOKEN, CODE])
        expect(shown).not.toContain(secret);
      if (kind === 'app_config')
        expect(error.message).toContain(`multi-end app ${multiEndApp.appid}`);
      expect(RecordingValidator.seen).toHaveLength(0);
    });
  });

  describe("WeChat's refusals of an OpenSDK code", () => {
    it.each([
      [40029, 'invalid code', 'invalid_code', 401],
      [40163, 'code been used', 'invalid_code', 401],
      [40226, 'invalid user', 'user_blocked', 403],
    ])(
      'answers errcode %i (%s) as %s, HTTP %i, saving no token',
      async (errcode, errmsg, kind, status) => {
        wechat.once('/sns/oauth2/access_token', {
          errcode,
          errmsg: `${errmsg}, rid: 6650f0a1-1b2c3d4e`,
        });
        const error = errorOf(
          await runStrategy(strategy, appLogin({ code: CODE, state: await issued() })),
        );
        expect(error.getStatus()).toBe(status);
        expect(error.getResponse()).toMatchObject({ kind, errcode, errmsg });
        expect(JSON.stringify(error.getResponse())).not.toContain(mobileApp.secret);
        // Another app's code is the one misconfiguration WeChat calls the user's fault: the message says where to look.
        if (errcode === 40029) expect(error.message).toContain('WX_MOBILE_APPID');
        expect(RecordingValidator.seen).toHaveLength(0);
        await expect(savedToken()).rejects.toMatchObject({ kind: 'refresh_expired' });
      },
    );
  });

  describe('a request that cannot log in', () => {
    it.each([
      ['no body', undefined],
      ['no code', { state: 'A'.repeat(43) }],
      ['a code that is not text', { code: 42, state: 'A'.repeat(43) }],
      ['a state that is not text', { code: CODE, state: ['A'.repeat(43)] }],
      ['an odd multiEnd', { code: CODE, state: 'A'.repeat(43), multiEnd: 'yes' }],
    ])('answers %s with 400 invalid_request before WeChat is called', async (_name, body) => {
      const error = errorOf(await runStrategy(strategy, appLogin(body)));
      expect(error.getStatus()).toBe(400);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_request' });
      expect(wechat.calls).toHaveLength(0);
    });

    it('answers a GET with 400 before WeChat is called', async () => {
      const error = errorOf(
        await runStrategy(strategy, appLogin({ code: CODE, state: await issued() }, 'GET')),
      );
      expect(error.getStatus()).toBe(400);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_request' });
      expect(wechat.calls).toHaveLength(0);
    });

    it.each([
      ['an OpenSDK code without a mobile app', { multiEndApp }, false, 'mobile app'],
      ['a multi-end code without a multi-end app', { mobileApp }, true, 'multi-end app'],
    ])(
      'answers %s with 400 flow_unavailable, before the state',
      async (_name, options, multiEnd, missing) => {
        await moduleRef.close();
        await compile(options);
        // A state of no app: the missing app is the answer, not the state's 401.
        const error = errorOf(
          await runStrategy(strategy, appLogin({ code: CODE, state: 'A'.repeat(43), multiEnd })),
        );
        expect(error.getStatus()).toBe(400);
        expect(error.getResponse()).toMatchObject({ kind: 'flow_unavailable' });
        expect(error.message).toContain(`no WeChat ${missing} registered`);
        expect(wechat.calls).toHaveLength(0);
      },
    );
  });

  describe('with tenants', () => {
    const globexMobile = { appid: 'wx0g10bex0m0b11e', secret: 'globex-mobile-secret-0123456' };
    const TENANTS: Record<string, WxTenant> = {
      acme: { id: 'acme', mobileApp, multiEndApp },
      globex: { id: 'globex', mobileApp: globexMobile },
    };
    const resolver: WxTenantResolver = {
      tenantOf: ({ host }) => host.split('.')[0],
      load: (id) => TENANTS[id],
      tenantOfAppid: (appid) =>
        Object.values(TENANTS).find((tenant) =>
          [tenant.mobileApp, tenant.multiEndApp].some((app) => app?.appid === appid),
        )?.id,
    };

    beforeEach(async () => {
      await moduleRef.close();
      await compile({
        tenants: { resolver },
        state: { secret: 'app-strategy-tenants-secret-01' },
        callbackURL: 'https://login.example.com/auth/wechat/callback',
      });
    });

    /** A state issued to an app of the tenant at `host`. */
    const issuedAt = async (host: string) =>
      (await moduleRef.get(WxAppStates).issue(appLogin(undefined, 'POST', host))).state;

    it("logs each tenant's users in with that tenant's own apps", async () => {
      const acme = 'acme.example.com';
      const globex = 'globex.example.com';
      for (const [host, multiEnd] of [
        [acme, false],
        [acme, true],
        [globex, false],
      ] as const) {
        const body = { code: CODE, state: await issuedAt(host), multiEnd };
        expect(await runStrategy(strategy, appLogin(body, 'POST', host))).toHaveProperty('success');
      }
      expect(wechat.callsTo('/sns/oauth2/access_token').map((call) => call.params.appid)).toEqual([
        mobileApp.appid,
        globexMobile.appid,
      ]);
      expect(wechat.callsTo('/donut/code2verifyinfo')[0].params).toMatchObject({
        appid: multiEndApp.appid,
        appsecret: multiEndApp.secret,
      });
      await expect(savedToken()).resolves.toBe(ACCESS_TOKEN);
    });

    it('refuses at one tenant a state another issued, WeChat never called', async () => {
      const state = await issuedAt('acme.example.com');
      const error = errorOf(
        await runStrategy(strategy, appLogin({ code: CODE, state }, 'POST', 'globex.example.com')),
      );
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_state' });
      expect(wechat.calls).toHaveLength(0);
    });

    it('answers a host no tenant serves with 404 unknown_tenant', async () => {
      const error = errorOf(
        await runStrategy(
          strategy,
          appLogin({ code: CODE, state: 'A'.repeat(43) }, 'POST', 'nobody.example.com'),
        ),
      );
      expect(error.getStatus()).toBe(404);
      expect(error.getResponse()).toMatchObject({ kind: 'unknown_tenant' });
      expect(wechat.calls).toHaveLength(0);
    });
  });

  it('runs under a plain AuthGuard(WX_STRATEGIES.app), its user on req.user', async () => {
    const req = appLogin({ code: CODE, state: await issued() });
    const context = new ExecutionContextHost([req, req.res]);
    context.setType('http');
    await expect(new (AuthGuard(WX_STRATEGIES.app))().canActivate(context)).resolves.toBe(true);
    expect((req as { user?: unknown }).user).toEqual({ member: OPENID });
  });
});
