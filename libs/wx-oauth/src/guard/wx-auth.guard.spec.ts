import { jest } from '@jest/globals';
import {
  Controller,
  Get,
  HttpException,
  Logger,
  Post,
  UseGuards,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { AuthGuard } from '@nestjs/passport';
import { Test, type TestingModule } from '@nestjs/testing';
import passport from 'passport';
import { Strategy } from 'passport-strategy';
import { WxAppLoginRoute } from '../logins/app/wx-app-login-route.decorator.js';
import { WxFollowLoginRoute } from '../logins/follow/wx-follow-login-route.decorator.js';
import { WxMiniProgramLoginRoute } from '../logins/mini-program/wx-mini-program-login-route.decorator.js';
import { WX_STRATEGIES } from '../wx-oauth.constants.js';
import { WxOAuthError, type WxOAuthErrorKind } from '../client/wx-oauth.error.js';
import { WxAuthScope } from '../logins/oauth/wx-auth-scope.decorator.js';
import { WxOAuthModule } from '../wx-oauth.module.js';
import type { WxOAuthModuleOptions } from '../options/wx-oauth-module-options.interface.js';
import type { WxAuthInfo } from '../state/wx-auth-info.interface.js';
import { WxHandoff } from '../state/wx-handoff.js';
import type { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { compileWxOAuth, fakeRequest, setCookies } from '../wx-oauth.spec-helper.js';
import { WxAuthGuard } from './wx-auth.guard.js';
import { asHttpError, wxHttpException } from '../errors/wx-http-exception.js';

@Controller()
@WxAuthScope('snsapi_userinfo')
class ScopedController {
  @Get('qr')
  @WxAuthScope('snsapi_login')
  qr(): void {}

  @Get('in-wechat')
  inWeChat(): void {}
}

@Controller()
class LoginController {
  @Get('auth/wechat')
  oauth(): void {}

  @Get('auth/follow/done')
  @WxFollowLoginRoute()
  follow(): void {}

  @Post('auth/mini-program')
  @WxMiniProgramLoginRoute()
  miniProgram(): void {}

  @Post('auth/wechat/app')
  @WxAppLoginRoute()
  app(): void {}

  @Post('auth/wechat/app/unchecked')
  @WxAppLoginRoute({ checkState: false })
  uncheckedApp(): void {}
}

@Controller('mini-program')
@WxMiniProgramLoginRoute()
class MiniProgramController {
  @Post('login')
  login(): void {}

  @Get('follow')
  @WxFollowLoginRoute()
  follow(): void {}
}

/** The context Nest builds for a call of `handler` on `controller`, with its request. */
function contextOf(
  handler: string,
  controller: Type<object> = ScopedController,
  url = '/',
  method = 'GET',
): ExecutionContextHost {
  const { req, res } = fakeRequest(url, {}, method);
  const context = new ExecutionContextHost(
    [req, res],
    controller,
    (controller.prototype as Record<string, () => void>)[handler],
  );
  context.setType('http');
  return context;
}

/** The user a guard put on the request. */
const userOf = (context: ExecutionContext) =>
  context.switchToHttp().getRequest<{ user?: unknown }>().user;

/** passport's registry of strategies, which its types leave out. */
interface PassportInternals {
  _strategy(name: string): passport.Strategy | undefined;
}

/** A strategy that logs everyone in as itself, and records that it ran. */
class NamedStrategy extends Strategy {
  constructor(
    readonly name: string,
    private readonly ran: string[],
  ) {
    super();
  }

  override authenticate(): void {
    this.ran.push(this.name);
    this.success({ loggedInBy: this.name });
  }
}

describe('WxAuthGuard', () => {
  let moduleRef: TestingModule;
  let guard: WxAuthGuard;

  beforeAll(async () => {
    // Built as Nest builds a guard a route names: a class in the module, its properties injected.
    moduleRef = await Test.createTestingModule({
      imports: [
        WxOAuthModule.forRoot({
          appid: 'wx0guard',
          secret: 'guard-secret',
          callbackURL: 'https://app.example.com/auth/wechat/callback',
        }),
      ],
      providers: [WxAuthGuard],
    }).compile();
    guard = moduleRef.get(WxAuthGuard);
  });

  afterAll(() => moduleRef.close());

  it("asks for the route's @WxAuthScope, the handler's over the controller's", () => {
    expect(guard.getAuthenticateOptions(contextOf('qr'))).toEqual({
      scope: 'snsapi_login',
    });
    expect(guard.getAuthenticateOptions(contextOf('inWeChat'))).toEqual({
      scope: 'snsapi_userinfo',
    });
  });

  it("hands the strategy the route's login options, beside its scope, and nothing on a plain route", () => {
    expect(guard.getAuthenticateOptions(contextOf('uncheckedApp', LoginController))).toEqual({
      checkState: false,
    });
    expect(guard.getAuthenticateOptions(contextOf('app', LoginController))).toEqual({});
    expect(guard.getAuthenticateOptions(contextOf('oauth', LoginController))).toBeUndefined();
    expect(guard.getAuthenticateOptions(contextOf('miniProgram', LoginController))).toBeUndefined();
  });

  it('hands on the user the strategy found', () => {
    const user = { openid: 'o1' };
    expect(guard.handleRequest(null, user, undefined, contextOf('qr'))).toBe(user);
  });

  it("rethrows the strategy's HTTP error as it is: statuses are decided once, in the strategy", () => {
    const error = wxHttpException(new WxOAuthError('busy', 'WeChat is busy'))!;
    expect(() => guard.handleRequest(error, false, undefined, contextOf('qr'))).toThrow(error);
  });

  it("answers passport's fail() (no user, no error) with the strategy's 401 denied body", () => {
    let thrown: unknown;
    try {
      guard.handleRequest(null, false, undefined, contextOf('qr'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpException);
    expect((thrown as HttpException).getStatus()).toBe(401);
    expect((thrown as HttpException).getResponse()).toMatchObject({ kind: 'denied' });
  });

  describe("the strategy of the route's login kind", () => {
    const names = Object.values(WX_STRATEGIES);
    let ran: string[];
    let real: Map<string, passport.Strategy | undefined>;

    beforeEach(() => {
      ran = [];
      // The module registered its own strategies under these names; each test stands them in.
      real = new Map(
        names.map((name) => [name, (passport as unknown as PassportInternals)._strategy(name)]),
      );
      for (const name of names) passport.use(name, new NamedStrategy(name, ran));
    });
    afterEach(() => {
      for (const [name, strategy] of real) if (strategy) passport.use(name, strategy);
    });

    it.each([
      ['no decorator', 'oauth', LoginController, '/auth/wechat', 'GET', 'wechat'],
      [
        '@WxFollowLoginRoute()',
        'follow',
        LoginController,
        '/auth/follow/done',
        'GET',
        'wechat-follow',
      ],
      [
        '@WxMiniProgramLoginRoute()',
        'miniProgram',
        LoginController,
        '/auth/mini-program',
        'POST',
        'wechat-mini-program',
      ],
      ['@WxAppLoginRoute()', 'app', LoginController, '/auth/wechat/app', 'POST', 'wechat-app'],
      [
        '@WxAppLoginRoute({ checkState: false })',
        'uncheckedApp',
        LoginController,
        '/auth/wechat/app/unchecked',
        'POST',
        'wechat-app',
      ],
      [
        "its controller's @WxMiniProgramLoginRoute()",
        'login',
        MiniProgramController,
        '/mini-program/login',
        'POST',
        'wechat-mini-program',
      ],
      [
        "@WxFollowLoginRoute() over its controller's decorator",
        'follow',
        MiniProgramController,
        '/mini-program/follow',
        'GET',
        'wechat-follow',
      ],
    ] as const)(
      'runs, on a route with %s, that strategy alone, its user on req.user',
      async (_name, handler, controller, url, method, strategy) => {
        const context = contextOf(handler, controller, url, method);
        await expect(guard.canActivate(context)).resolves.toBe(true);
        expect(ran).toEqual([strategy]);
        expect(userOf(context)).toEqual({ loggedInBy: strategy });
      },
    );

    it('keeps no per-route strategy on the guard: one instance serves every kind, in any order', async () => {
      await guard.canActivate(
        contextOf('miniProgram', LoginController, '/auth/mini-program', 'POST'),
      );
      await guard.canActivate(contextOf('oauth', LoginController, '/auth/wechat'));
      await guard.canActivate(contextOf('follow', LoginController, '/auth/follow/done'));
      await guard.canActivate(contextOf('oauth', LoginController, '/auth/wechat'));
      expect(ran).toEqual(['wechat-mini-program', 'wechat', 'wechat-follow', 'wechat']);
    });

    it("lets a plain AuthGuard(WX_STRATEGIES.miniProgram) run the mini-program's strategy too", async () => {
      const PlainGuard = AuthGuard(WX_STRATEGIES.miniProgram);
      const context = contextOf('login', MiniProgramController, '/mini-program/login', 'POST');
      await expect(new PlainGuard().canActivate(context)).resolves.toBe(true);
      expect(ran).toEqual(['wechat-mini-program']);
      expect(userOf(context)).toEqual({ loggedInBy: 'wechat-mini-program' });
    });
  });

  it('stops the app at start-up when WxOAuthModule is not registered', async () => {
    @Controller()
    class LoneController {
      @Get()
      @UseGuards(WxAuthGuard)
      login(): void {}
    }
    const lone = await Test.createTestingModule({ controllers: [LoneController] }).compile();
    const app = lone.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow('WxAuthGuard needs WxOAuthModule');
    await app.close().catch(() => undefined);
  });
});

describe('WxAuthGuard: a failed login started from a front end on another origin', () => {
  const SPA = 'https://spa.example.com';
  const ORDERS = `${SPA}/orders/7`;
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let guard: WxAuthGuard;
  let restore: (() => void) | undefined;

  const compile = async (extra: Partial<WxOAuthModuleOptions> = {}) => {
    ({ moduleRef, clock } = await compileWxOAuth(
      {
        appid: 'wx0guard',
        secret: 'guard-secret',
        callbackURL: 'https://api.example.com/auth/wechat/callback',
        frontendOrigins: [SPA],
        ...extra,
      },
      undefined,
      [WxAuthGuard],
    ));
    guard = moduleRef.get(WxAuthGuard);
  };
  let warn: jest.SpiedFunction<Logger['warn']>;
  beforeEach(() => {
    // The guard logs WeChat's and the store's failures (5xx); the spec reads them.
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    restore?.();
    restore = undefined;
    warn.mockRestore();
    await moduleRef.close();
  });

  /** Runs `strategy` under the name of the module's own for the rest of the test. */
  function standIn(name: string, strategy: passport.Strategy): void {
    const real = (passport as unknown as PassportInternals)._strategy(name);
    passport.use(name, strategy);
    restore = () => real && passport.use(name, real);
  }

  interface Answer {
    location?: string;
    error?: HttpException;
    setCookie: string[];
  }

  /** What the guard answers a browser's GET of `url` on `handler`'s route, carrying `cookie`. */
  async function answer(
    url: string,
    cookie = '',
    handler = 'oauth',
    method = 'GET',
  ): Promise<Answer> {
    const { req, res } = fakeRequest(url, cookie ? { cookie } : {}, method);
    const context = new ExecutionContextHost(
      [req, res],
      LoginController,
      (LoginController.prototype as unknown as Record<string, () => void>)[handler],
    );
    context.setType('http');
    // A redirect ends the response and leaves the guard pending, as the handler must not run.
    const ended = new Promise<void>((resolve) => {
      const end = res.end.bind(res);
      res.end = ((...args: Parameters<typeof end>) => {
        resolve();
        return end(...args);
      }) as typeof res.end;
    });
    try {
      const handled = await Promise.race([ended, guard.canActivate(context)]);
      if (handled === true) throw new Error('the route handler would have answered');
      return { location: String(res.getHeader('Location')), setCookie: setCookies(res) };
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      return { error, setCookie: setCookies(res) };
    }
  }

  /** Starts a login through the guard: WeChat's state, and the browser's cookie. */
  async function started(returnTo = ORDERS): Promise<{ state: string; cookie: string }> {
    const { location, setCookie } = await answer(
      `/auth/wechat?returnTo=${encodeURIComponent(returnTo)}`,
    );
    const state = new URL(location!).searchParams.get('state')!;
    return { state, cookie: setCookie.map((c) => c.split(';')[0]).join('; ') };
  }

  const callback = (state: string, query = '') =>
    `/auth/wechat/callback?${query}${query ? '&' : ''}state=${state}`;
  const expired = (state: string) =>
    `wx_oauth_${state}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`;

  /** A strategy failing as WeChat, the store or the app's validator makes a login fail. */
  class FailingStrategy extends Strategy {
    constructor(private readonly kind: WxOAuthErrorKind) {
      super();
    }

    override authenticate(): void {
      this.error(asHttpError(new WxOAuthError(this.kind, 'The login failed')) as Error);
    }
  }

  it("sends WeChat's denial back to the front end, with wx_error alone, and expires the state cookie", async () => {
    await compile();
    const { state, cookie } = await started();
    const denied = await answer(callback(state), cookie);
    expect(denied.location).toBe(`${ORDERS}?wx_error=denied`);
    expect(denied.setCookie).toEqual([expired(state)]);
  });

  it.each(['invalid_code', 'bad_response', 'timeout', 'store_unavailable', 'denied'] as const)(
    'sends %s, from WeChat, the store or the validator, back to the front end',
    async (kind) => {
      await compile();
      const { state, cookie } = await started();
      standIn(WX_STRATEGIES.oauth, new FailingStrategy(kind));
      const failed = await answer(callback(state, 'code=c0de'), cookie);
      expect(failed.location).toBe(`${ORDERS}?wx_error=${kind}`);
      expect(failed.setCookie).toEqual([expired(state)]);
    },
  );

  it('sends a genuine state past its lifetime back to the front end as invalid_state', async () => {
    await compile();
    const { state, cookie } = await started();
    clock.advance(600_000);
    const stale = await answer(callback(state, 'code=c0de'), cookie);
    expect(stale.location).toBe(`${ORDERS}?wx_error=invalid_state`);
  });

  it('trusts no forged or missing state cookie: the error answers, or failureRedirect', async () => {
    const forge = (cookie: string) => {
      const [name, value] = cookie.split('=');
      const [expires, , appid, signature] = value.split('.');
      const elsewhere = Buffer.from(`${SPA}/elsewhere`).toString('base64url');
      return `${name}=${expires}.${elsewhere}.${appid}.${signature}`;
    };
    await compile();
    let { state, cookie } = await started();
    for (const sent of [forge(cookie), '']) {
      const refused = await answer(callback(state), sent);
      expect(refused.location).toBeUndefined();
      expect(refused.error?.getStatus()).toBe(401);
      expect(refused.error?.getResponse()).toMatchObject({ kind: 'denied' });
      expect(refused.setCookie).toEqual([]);
    }
    await moduleRef.close();

    await compile({ failureRedirect: '/login/failed' });
    ({ state, cookie } = await started());
    const forged = await answer(callback(state, 'code=c0de'), forge(cookie));
    expect(forged.location).toBe('/login/failed?wx_error=invalid_state');
  });

  it("prefers the login's own front end to failureRedirect, as a success prefers it to successRedirect", async () => {
    await compile({ failureRedirect: '/login/failed' });
    const spa = await started();
    expect((await answer(callback(spa.state), spa.cookie)).location).toBe(
      `${ORDERS}?wx_error=denied`,
    );
    const page = await started('/orders/7');
    expect((await answer(callback(page.state), page.cookie)).location).toBe(
      '/login/failed?wx_error=denied',
    );
  });

  it('leaves the login be on a request refused as such: HEAD, as a link previewer sends', async () => {
    await compile();
    const { state, cookie } = await started();
    const head = await answer(callback(state, 'code=c0de'), cookie, 'oauth', 'HEAD');
    expect(head.error?.getStatus()).toBe(400);
    expect(head.setCookie).toEqual([]);
    expect((await answer(callback(state), cookie)).location).toBe(`${ORDERS}?wx_error=denied`);
  });

  it('answers a mistake in the login start with 400, not a redirect to the front end', async () => {
    await compile({ failureRedirect: '/login/failed' });
    const refused = await answer(
      `/auth/wechat?returnTo=${encodeURIComponent('https://evil.example/orders/7')}`,
    );
    expect(refused.error?.getStatus()).toBe(400);
  });

  it("sends a follow login's failure to the front end its completion route names", async () => {
    await compile();
    standIn(WX_STRATEGIES.follow, new FailingStrategy('invalid_state'));
    const returnTo = encodeURIComponent(ORDERS);
    const failed = await answer(`/auth/follow/done?returnTo=${returnTo}`, '', 'follow');
    expect(failed.location).toBe(`${ORDERS}?wx_error=invalid_state`);
    const elsewhere = encodeURIComponent('https://evil.example/orders/7');
    const refused = await answer(`/auth/follow/done?returnTo=${elsewhere}`, '', 'follow');
    expect(refused.error?.getStatus()).toBe(401);
  });

  describe('after a login', () => {
    class SucceedingStrategy extends Strategy {
      override authenticate(): void {
        const info: WxAuthInfo = {
          state: { returnTo: `${ORDERS}?wx_error=denied&tab=2`, appid: 'wx0guard' },
        };
        this.success({ id: 'u1' }, info);
      }
    }

    it("hands the front end a code, and only this login's outcome", async () => {
      await compile();
      standIn(WX_STRATEGIES.oauth, new SucceedingStrategy());
      const back = new URL((await answer(callback('0'.repeat(32), 'code=c0de'))).location!);
      expect(back.origin + back.pathname).toBe(ORDERS);
      expect([...back.searchParams.keys()]).toEqual(['tab', 'wx_handoff']);
    });

    it('sends the front end wx_error when the handoff code cannot be kept', async () => {
      await compile();
      standIn(WX_STRATEGIES.oauth, new SucceedingStrategy());
      jest
        .spyOn(moduleRef.get(WxHandoff), 'issue')
        .mockRejectedValue(new WxOAuthError('store_unavailable', 'Store: down'));
      const back = await answer(callback('0'.repeat(32), 'code=c0de'));
      expect(back.location).toBe(`${ORDERS}?tab=2&wx_error=store_unavailable`);
      expect(warn).toHaveBeenCalledWith('Store: down');
    });
  });
});
