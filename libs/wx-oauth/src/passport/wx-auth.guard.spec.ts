import { Controller, Get, HttpException, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test, type TestingModule } from '@nestjs/testing';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { WxAuthScope } from '../wx-oauth.decorators.js';
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

/** The context Nest builds for a call of `handler` on `ScopedController`. */
function contextOf(handler: keyof ScopedController): ExecutionContext {
  const { req, res } = fakeRequest('/');
  const context = new ExecutionContextHost(
    [req, res],
    ScopedController,
    ScopedController.prototype[handler],
  );
  context.setType('http');
  return context;
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
    expect(guard.getAuthenticateOptions(contextOf('qr'))).toEqual({ scope: 'snsapi_login' });
    expect(guard.getAuthenticateOptions(contextOf('inWeChat'))).toEqual({
      scope: 'snsapi_userinfo',
    });
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
