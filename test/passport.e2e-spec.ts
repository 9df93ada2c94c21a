import { HttpModule, HttpService } from '@nestjs/axios';
import {
  Controller,
  type ExecutionContext,
  ForbiddenException,
  Get,
  type INestApplication,
  Injectable,
  Module,
  type ModuleMetadata,
  Req,
  UseGuards,
} from '@nestjs/common';
import { PassportModule, PassportSerializer } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import type { Request } from 'express';
import session from 'express-session';
import passport from 'passport';
import {
  WX_STRATEGIES,
  WxAuthGuard,
  type WxAuthenticateOptions,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  type WxWeChatProfile,
} from 'nest-wx-oauth';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { sandboxLogin } from './support/test-app.js';
import { authorize, get, login, responsesAndLogs, startLogin } from './support/login-flow.js';

// What @nestjs/passport users do with an AuthGuard, done with WxAuthGuard: subclass
// hooks, Passport sessions, feature modules, and the app's own axios instance.

let sandbox: WxSandbox;
const apps: INestApplication[] = [];
const loggers: CaptureLogger[] = [];

beforeAll(async () => {
  sandbox = await WxSandbox.start({ autoApprove: 'alice' });
});

afterAll(async () => {
  const seen = responsesAndLogs(loggers);
  for (const text of seen) expect(text).not.toContain(sandbox.secret);
  await Promise.all(apps.map((app) => app.close()));
  await sandbox.close();
});

const alice = () => sandbox.users.find((u) => u.key === 'alice')!;

function wxOptions(url: string, extra: Partial<WxOAuthModuleOptions> = {}): WxOAuthModuleOptions {
  return { ...sandboxLogin(sandbox, url), ...extra };
}

/** `listenApp`, closed and its logs checked after all tests. */
async function listen(
  port: number,
  metadata: ModuleMetadata,
  setup?: (app: INestApplication) => void,
): Promise<string> {
  const { app, logger } = await listenApp(port, metadata, setup);
  apps.push(app);
  loggers.push(logger);
  return `http://127.0.0.1:${port}`;
}

@Controller('auth/wechat')
class LoginController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request): unknown {
    return { user: req.user };
  }
}

describe('a WxAuthGuard subclass', () => {
  const calls: string[] = [];
  let url: string;

  // Everything per request: scope, returnTo, and a callback URL on another route.
  @Injectable()
  class AppGuard extends WxAuthGuard {
    override getRequest(context: ExecutionContext): Request {
      calls.push('getRequest');
      return super.getRequest(context);
    }

    override getAuthenticateOptions(_context: ExecutionContext): WxAuthenticateOptions {
      calls.push('getAuthenticateOptions');
      return {
        scope: 'snsapi_userinfo',
        returnTo: '/welcome',
        callbackURL: `${url}/signup/wechat/done`,
      };
    }

    override handleRequest<TUser>(err: unknown, user: TUser): TUser {
      calls.push('handleRequest');
      if (err) throw new ForbiddenException('The app says no');
      return { member: (user as WxWeChatProfile).openid } as TUser;
    }
  }

  @Controller('signup/wechat')
  class SignupController {
    @Get()
    @UseGuards(AppGuard)
    start(): void {}

    @Get('done')
    @UseGuards(AppGuard)
    done(@Req() req: Request): unknown {
      return {
        user: req.user,
        returnTo: (req.authInfo as { state: { returnTo?: string } }).state.returnTo,
      };
    }
  }

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await listen(port, {
      // The module's callback URL is served too: the app would not start otherwise.
      imports: [
        WxOAuthModule.forRoot(wxOptions(url, { callbackURL: `${url}/signup/wechat/done` })),
      ],
      controllers: [SignupController],
    });
  });

  beforeEach(() => {
    calls.length = 0;
  });

  it('asks for its scope and callback URL per request', async () => {
    const { authorizeUrl } = await startLogin(url, '/signup/wechat');
    const query = new URL(authorizeUrl.replace(/#.*$/, '')).searchParams;
    expect(query.get('scope')).toBe('snsapi_userinfo');
    expect(query.get('redirect_uri')).toBe(`${url}/signup/wechat/done`);
    expect(calls).toEqual(expect.arrayContaining(['getRequest', 'getAuthenticateOptions']));
  });

  it('finishes on that callback route, through its handleRequest, with its returnTo', async () => {
    const { callback } = await login(url, '/signup/wechat');
    expect(callback.status).toBe(200);
    expect(callback.body).toEqual({ user: { member: alice().openid }, returnTo: '/welcome' });
    expect(calls).toContain('handleRequest');
  });

  it('answers failures through its handleRequest', async () => {
    const started = await startLogin(url, '/signup/wechat');
    const callbackUrl = await authorize(started.authorizeUrl);
    const res = await get(url, callbackUrl.pathname + callbackUrl.search); // no state cookie
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ message: 'The app says no' });
  });
});

describe('Passport sessions', () => {
  let url: string;

  @Injectable()
  class SessionSerializer extends PassportSerializer {
    serializeUser(user: WxWeChatProfile, done: (err: Error | null, id?: string) => void): void {
      done(null, user.openid);
    }

    deserializeUser(openid: string, done: (err: Error | null, user?: unknown) => void): void {
      done(null, { openid });
    }
  }

  @Controller()
  class MeController {
    @Get('me')
    me(@Req() req: Request): unknown {
      return { authenticated: req.isAuthenticated(), user: req.user ?? null };
    }
  }

  beforeAll(async () => {
    const port = await freePort();
    url = await listen(
      port,
      {
        imports: [
          PassportModule.register({ session: true }),
          WxOAuthModule.forRoot(wxOptions(`http://127.0.0.1:${port}`)),
        ],
        controllers: [LoginController, MeController],
        providers: [SessionSerializer],
      },
      (app) => {
        app.use(
          session({
            secret: 'a-test-only-session-secret',
            resave: false,
            saveUninitialized: false,
          }),
        );
        app.use(passport.initialize());
        app.use(passport.session());
      },
    );
  });

  it('logs the user into the session on the callback, so the next request has req.user', async () => {
    const { callback } = await login(url);
    expect(callback.status).toBe(200);
    const sessionCookie = ([] as string[])
      .concat(callback.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('connect.sid='));
    expect(sessionCookie).toBeDefined();
    const me = await get(url, '/me', sessionCookie!.split(';')[0]);
    expect(me.body).toEqual({ authenticated: true, user: { openid: alice().openid } });
  });

  it('leaves a request without the session cookie anonymous', async () => {
    expect((await get(url, '/me')).body).toEqual({ authenticated: false, user: null });
  });

  it('refuses to start a login, before WeChat, when sessions are on and no session middleware runs', async () => {
    const port = await freePort();
    const bare = await listen(port, {
      imports: [
        PassportModule.register({ session: true }),
        WxOAuthModule.forRoot(wxOptions(`http://127.0.0.1:${port}`)),
      ],
      controllers: [LoginController],
    });
    const res = await get(bare, '/auth/wechat');
    expect(res.status).toBe(500);
    expect(res.headers.location).toBeUndefined();
    expect(loggers.at(-1)!.lines.join('\n')).toContain(
      'PassportModule.register({ session: true }) needs session middleware before the login routes',
    );
  });
});

describe('WxAuthGuard in a feature module', () => {
  @Module({ controllers: [LoginController] })
  class AuthFeatureModule {}

  it.each([false, true])(
    'logs in with WxOAuthModule registered once in AppModule (isGlobal: %s)',
    async (isGlobal) => {
      const port = await freePort();
      const url = await listen(port, {
        imports: [
          WxOAuthModule.forRoot({ ...wxOptions(`http://127.0.0.1:${port}`), isGlobal }),
          AuthFeatureModule,
        ],
      });
      const { callback } = await login(url);
      expect(callback.status).toBe(200);
      expect(callback.body).toMatchObject({ user: { openid: alice().openid } });
    },
  );

  it('fails at start-up, naming WxOAuthModule, when the module is not registered', async () => {
    // Passport's strategy registry is global: forget the earlier apps' strategy.
    passport.unuse(WX_STRATEGIES.oauth);
    @Module({ imports: [AuthFeatureModule] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .setLogger(new CaptureLogger())
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(/WxAuthGuard needs WxOAuthModule/);
    await app.close();
  });
});

describe("the app's own axios instance", () => {
  it('carries every WeChat call through its interceptors', async () => {
    const instance = axios.create();
    const seen: string[] = [];
    instance.interceptors.request.use((config) => {
      seen.push(new URL(config.url!).pathname);
      return config;
    });
    const port = await freePort();
    const url = await listen(port, {
      imports: [
        WxOAuthModule.forRoot(
          wxOptions(`http://127.0.0.1:${port}`, { axios: instance, scope: 'snsapi_userinfo' }),
        ),
      ],
      controllers: [LoginController],
    });
    const { callback } = await login(url);
    expect(callback.status).toBe(200);
    expect(seen).toEqual(['/sns/oauth2/access_token', '/sns/userinfo']);
  });

  it("takes @nestjs/axios's HttpService.axiosRef through forRootAsync", async () => {
    const seen: string[] = [];
    const port = await freePort();
    const url = await listen(port, {
      imports: [
        WxOAuthModule.forRootAsync({
          imports: [HttpModule],
          inject: [HttpService],
          useFactory: (http: HttpService) => {
            http.axiosRef.interceptors.request.use((config) => {
              seen.push(new URL(config.url!).pathname);
              return config;
            });
            return wxOptions(`http://127.0.0.1:${port}`, { axios: http.axiosRef });
          },
        }),
      ],
      controllers: [LoginController],
    });
    expect((await login(url)).callback.status).toBe(200);
    expect(seen).toEqual(['/sns/oauth2/access_token']);
  });

  it("answers 502 when its interceptor fails, and never shows the URL's secret", async () => {
    const instance = axios.create();
    instance.interceptors.request.use((config: { url?: string }) => {
      throw new Error(`tracing refused ${config.url}`);
    });
    const port = await freePort();
    const url = await listen(port, {
      imports: [WxOAuthModule.forRoot(wxOptions(`http://127.0.0.1:${port}`, { axios: instance }))],
      controllers: [LoginController],
    });
    const { callback } = await login(url);
    expect(callback.status).toBe(502);
    expect(callback.body).toMatchObject({
      kind: 'network',
      message: 'WeChat /sns/oauth2/access_token could not be reached (unknown error)',
    });
    expect(callback.text).not.toContain(sandbox.secret);
  });
});
