import { jest } from '@jest/globals';
import type { HttpException, Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { WxAccessToken } from '../../client/wx-oauth.types.js';
import type { WxOAuthModuleOptions } from '../../options/wx-oauth-module-options.interface.js';
import type { WxWeChatProfile } from '../../profile/wx-profile.js';
import { WxValidator } from '../../profile/wx-validator.decorator.js';
import { WxSandbox } from '../../testing/index.js';
import { WxTokenService } from '../../tokens/wx-token.service.js';
import {
  compileWxOAuth,
  cookieHeader,
  fakeRequest,
  type FakeExchange,
  runStrategy,
} from '../../wx-oauth.spec-helper.js';
import { type WxAuthenticateOptions, WxOAuthStrategy } from './wx-oauth.strategy.js';

/** Runs the strategy on one request as passport does. */
const run = (strategy: WxOAuthStrategy, { req }: FakeExchange, options?: WxAuthenticateOptions) =>
  runStrategy(strategy, req, options);

const CALLBACK = 'https://app.example.com/auth/wechat/callback';

describe('WxOAuthStrategy', () => {
  let sandbox: WxSandbox;
  let moduleRef: TestingModule;
  let strategy: WxOAuthStrategy;

  /** The module with `extra` options, beside the app's `providers` (its `@WxValidator()`). */
  const compile = async (extra: Partial<WxOAuthModuleOptions> = {}, providers: Provider[] = []) => {
    await moduleRef?.close();
    ({ moduleRef } = await compileWxOAuth(
      {
        appid: sandbox.appid,
        secret: sandbox.secret,
        callbackURL: CALLBACK,
        apiBaseUrl: sandbox.url,
        openBaseUrl: sandbox.url,
        ...extra,
      },
      undefined,
      providers,
    ));
    strategy = moduleRef.get(WxOAuthStrategy);
  };

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  beforeEach(() => compile());
  afterAll(async () => {
    await moduleRef.close();
    await sandbox.close();
  });

  /** A login start, and the callback WeChat sends after it with a fresh code. */
  const startLogin = async (path = '/auth/wechat', options?: WxAuthenticateOptions) => {
    const start = fakeRequest(path);
    const outcome = (await run(strategy, start, options)) as { redirect: string };
    const state = new URL(outcome.redirect).searchParams.get('state')!;
    const cookie = cookieHeader(start.res);
    const callback = (code = sandbox.issueCode('alice', 'snsapi_base'), extraQuery = '') =>
      fakeRequest(`/auth/wechat/callback?code=${code}&state=${state}${extraQuery}`, { cookie });
    return { redirect: outcome.redirect, state, cookie, callback };
  };

  describe('the login start', () => {
    it("redirects to WeChat's authorize URL in its own parameter order, with #wechat_redirect", async () => {
      const { redirect, state } = await startLogin();
      expect(redirect).toBe(
        `${sandbox.url}/connect/oauth2/authorize?appid=${sandbox.appid}&redirect_uri=${encodeURIComponent(CALLBACK)}` +
          `&response_type=code&scope=snsapi_base&state=${state}#wechat_redirect`,
      );
    });

    it('asks for the scope and callback URL the guard gives, with authorizationParams on the URL', async () => {
      const params = jest
        .spyOn(strategy, 'authorizationParams')
        .mockReturnValue({ forcePopup: true });
      const outcome = (await run(strategy, fakeRequest('/auth/wechat'), {
        scope: 'snsapi_userinfo',
        callbackURL: 'https://app.example.com/done',
      })) as {
        redirect: string;
      };
      expect(outcome.redirect).toMatch(
        /\?appid=[^&]+&redirect_uri=https%3A%2F%2Fapp\.example\.com%2Fdone&response_type=code&scope=snsapi_userinfo&state=[0-9a-f]{32}&forcePopup=true#wechat_redirect$/,
      );
      expect(params).toHaveBeenCalledWith(
        expect.objectContaining({
          scope: 'snsapi_userinfo',
          callbackURL: 'https://app.example.com/done',
        }),
      );
    });

    it('starts a login on the login route whatever its own code and state, and on the callback route with neither', async () => {
      expect(
        await run(strategy, fakeRequest('/auth/wechat?code=invite7&state=signup')),
      ).toHaveProperty('redirect');
      expect(await run(strategy, fakeRequest('/auth/wechat/callback'))).toHaveProperty('redirect');
    });

    it('with two apps, logs in by the browser: the official account inside WeChat, the QR login elsewhere', async () => {
      await compile({
        appid: undefined,
        secret: undefined,
        officialAccount: { appid: 'wx0mp', secret: 's1' },
        website: { appid: 'wx0web', secret: 's2' },
      });
      const inWeChat = (await run(
        strategy,
        fakeRequest('/auth/wechat', { 'User-Agent': 'Mozilla/5.0 MicroMessenger/8.0' }),
      )) as { redirect: string };
      const desktop = (await run(
        strategy,
        fakeRequest('/auth/wechat', { 'User-Agent': 'Mozilla/5.0 Chrome/140' }),
      )) as { redirect: string };
      expect(inWeChat.redirect).toContain('/connect/oauth2/authorize?appid=wx0mp&');
      expect(desktop.redirect).toContain('/connect/qrconnect?appid=wx0web&');
    });

    it('refuses, before the browser leaves, a flow whose app is not registered', async () => {
      await compile({
        appid: undefined,
        secret: undefined,
        officialAccount: { appid: 'wx0mp', secret: 's1' },
      });
      const outcome = (await run(strategy, fakeRequest('/auth/wechat'), {
        scope: 'snsapi_login',
      })) as { error: HttpException };
      expect(outcome.error.getStatus()).toBe(400);
      expect(outcome.error.getResponse()).toMatchObject({ kind: 'flow_unavailable' });
    });

    it("refuses WeCom's scope, which a guard may hand any route (WxAuthGuardOptions), with a 400", async () => {
      // @ts-expect-error -- the 'wechat' strategy's own options take WeChat's scopes alone
      const wrong: WxAuthenticateOptions = { scope: 'snsapi_privateinfo' };
      const outcome = (await run(strategy, fakeRequest('/auth/wechat'), wrong)) as {
        error: HttpException;
      };
      expect(outcome.error.getStatus()).toBe(400);
      expect(outcome.error.getResponse()).toMatchObject({
        kind: 'invalid_request',
        message: expect.stringContaining('not snsapi_privateinfo'),
      });
    });

    it.each(['HEAD', 'POST'])('answers %s with 400, starting nothing', async (method) => {
      const outcome = (await run(strategy, fakeRequest('/auth/wechat', {}, method))) as {
        error: HttpException;
      };
      expect(outcome.error.getStatus()).toBe(400);
    });
  });

  describe('the callback', () => {
    it('exchanges the code, saves the tokens, and hands passport the profile with the state', async () => {
      const login = await startLogin('/auth/wechat?returnTo=/orders/7');
      const outcome = (await run(strategy, login.callback())) as {
        success: { openid: string; appid: string };
        info: unknown;
      };
      expect(outcome.success).toMatchObject({
        provider: 'wechat',
        appid: sandbox.appid,
        openid: sandbox.openidOf('alice'),
      });
      expect(outcome.info).toEqual({ state: { returnTo: '/orders/7', appid: sandbox.appid } });
      expect(
        await moduleRef.get(WxTokenService).getAccessTokenFor(sandbox.openidOf('alice')),
      ).toEqual(expect.any(String));
    });

    it('is known by its route, also when a proxy strips a path prefix', async () => {
      await compile({ callbackURL: 'https://app.example.com/api/auth/wechat/callback' });
      const login = await startLogin();
      expect(await run(strategy, login.callback())).toHaveProperty('success');
    });

    it('shares one exchange between the two requests of a duplicate callback', async () => {
      const login = await startLogin();
      const code = sandbox.issueCode('alice', 'snsapi_base');
      sandbox.resetStats();
      const [a, b] = await Promise.all([
        run(strategy, login.callback(code)),
        run(strategy, login.callback(code)),
      ]);
      expect([a, b].every((outcome) => 'success' in outcome)).toBe(true);
      expect(sandbox.stats.requests.access_token).toBe(1);
    });

    it.each([
      ['no code (the denial)', '', 401, 'denied'],
      ['an invalid code', 'notacode', 401, 'invalid_code'],
    ])('answers %s with an HTTP error carrying its kind', async (_name, code, status, kind) => {
      const login = await startLogin();
      const outcome = (await run(strategy, login.callback(code))) as { error: HttpException };
      expect(outcome.error.getStatus()).toBe(status);
      expect(outcome.error.getResponse()).toMatchObject({ kind });
    });

    it('treats an OAuth2 error parameter as a denial', async () => {
      const login = await startLogin();
      const outcome = (await run(strategy, login.callback(undefined, '&error=access_denied'))) as {
        error: HttpException;
      };
      expect(outcome.error.getResponse()).toMatchObject({ statusCode: 401, kind: 'denied' });
    });

    it("answers WeChat's errcode with its status, errcode and errmsg", async () => {
      const login = await startLogin();
      sandbox.inject(
        { type: 'errcode', errcode: -1, errmsg: 'system error' },
        { endpoint: 'access_token' },
      );
      const outcome = (await run(strategy, login.callback())) as { error: HttpException };
      expect(outcome.error.getStatus()).toBe(502);
      expect(outcome.error.getResponse()).toMatchObject({
        kind: 'busy',
        errcode: -1,
        errmsg: 'system error',
      });
    });

    it("refuses the login with 401 when the app's @WxValidator() answers null", async () => {
      @WxValidator()
      class RefusesEveryone implements WxValidator {
        validate() {
          return null;
        }
      }
      await compile({}, [RefusesEveryone]);
      const login = await startLogin();
      const outcome = (await run(strategy, login.callback())) as { error: HttpException };
      expect(outcome.error.getResponse()).toMatchObject({
        statusCode: 401,
        kind: 'denied',
        message: 'The login was refused',
      });
    });

    it("runs the app's @WxValidator() with the profile and tokens, and hands passport its user", async () => {
      @WxValidator()
      class Members implements WxValidator {
        validate(profile: WxWeChatProfile, tokens: WxAccessToken | undefined) {
          return { member: profile.openid, via: profile.via, scope: tokens?.scope };
        }
      }
      await compile({}, [Members]);
      const login = await startLogin();
      const outcome = (await run(strategy, login.callback())) as { success: unknown };
      expect(outcome.success).toEqual({
        member: sandbox.openidOf('alice'),
        via: 'oauth',
        scope: 'snsapi_base',
      });
    });
  });
});
