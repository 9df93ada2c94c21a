import {
  Controller,
  Get,
  HttpException,
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
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { WxAuthScope } from '../logins/oauth/wx-auth-scope.decorator.js';
import { WxOAuthModule } from '../wx-oauth.module.js';
import { fakeRequest } from '../wx-oauth.spec-helper.js';
import { WxAuthGuard } from './wx-auth.guard.js';
import { wxHttpException } from '../errors/wx-http-exception.js';

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
