/**
 * The code a Nest developer writes around the login, over HTTP against the
 * sandbox: a validator class with the app's services injected, redirects for
 * browsers, the login handed to an SPA on another origin, and the traps
 * refused where they are made.
 */
import {
  Body,
  Controller,
  type ExecutionContext,
  Get,
  Headers,
  HttpCode,
  type INestApplication,
  Injectable,
  Module,
  type ModuleMetadata,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import {
  WxAuthGuard,
  type WxAuthInfo,
  type WxAuthenticateOptions,
  WxHandoff,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  WxWeChatProfile,
  WxValidator,
} from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './support/capture-logger.js';
import { launchChromium } from './support/chromium.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { sandboxLogin } from './support/test-app.js';
import { serveSpa } from './support/spa-server.js';
import {
  authorize,
  decideUrl,
  get,
  login,
  responsesAndLogs,
  startLogin,
} from './support/login-flow.js';

let sandbox: WxSandbox;
const apps: INestApplication[] = [];
const loggers: CaptureLogger[] = [];

beforeAll(async () => {
  sandbox = await WxSandbox.start({ autoApprove: 'alice' });
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  const seen = responsesAndLogs(loggers);
  for (const text of seen) expect(text).not.toContain(sandbox.secret);
  await sandbox.close();
});

const alice = () => sandbox.users.find((u) => u.key === 'alice')!;

function wxOptions(url: string, extra: Partial<WxOAuthModuleOptions> = {}): WxOAuthModuleOptions {
  return { ...sandboxLogin(sandbox, url), scope: 'snsapi_userinfo', ...extra };
}

/** `listenApp`, closed and its logs checked after all tests. */
async function listen(
  port: number,
  metadata: ModuleMetadata,
  setup?: (app: INestApplication) => void,
): Promise<INestApplication> {
  const { app, logger } = await listenApp(port, metadata, setup);
  apps.push(app);
  loggers.push(logger);
  return app;
}

// The app's own user store, in its own module, as in every Nest app.
interface AppUser {
  id: string;
  name: string;
  openid: string;
}

@Injectable()
class UsersService {
  readonly users = new Map<string, AppUser>();

  upsert(profile: WxWeChatProfile): AppUser {
    const known = this.users.get(profile.openid);
    const user = known ?? {
      id: randomUUID(),
      name: profile.nickname ?? '',
      openid: profile.openid,
    };
    this.users.set(profile.openid, user);
    return user;
  }
}

@Module({ providers: [UsersService], exports: [UsersService] })
class UsersModule {}

@Controller('auth/wechat')
class LoginController {
  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request): unknown {
    return { user: req.user, returnTo: (req.authInfo as WxAuthInfo).state.returnTo ?? null };
  }
}

describe('the validator as app code', () => {
  @WxValidator()
  class WeChatUsers implements WxValidator {
    constructor(private readonly users: UsersService) {}

    validate(profile: WxWeChatProfile): AppUser {
      return this.users.upsert(profile);
    }
  }

  it('runs a validator class with the app’s UsersService injected, listed in its own module', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    @Module({
      imports: [UsersModule, WxOAuthModule.forRoot(wxOptions(url))],
      controllers: [LoginController],
      providers: [WeChatUsers],
    })
    class AuthModule {}
    const app = await listen(port, { imports: [AuthModule] });

    const first = await login(url);
    const again = await login(url);
    const users = app.get(UsersService);
    expect(first.callback.status).toBe(200);
    expect(first.callback.body.user).toEqual(users.users.get(alice().openid));
    expect(first.callback.body.user).toMatchObject({ name: alice().nickname });
    expect(again.callback.body.user).toEqual(first.callback.body.user);
    expect(users.users.size).toBe(1);
  });

  it('runs the validator of a feature module beside wxOAuthFromConfig in the root module', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const keys = {
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_CALLBACK_URL: `${url}/auth/wechat/callback`,
      WX_SCOPE: 'snsapi_userinfo',
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
    };
    @Module({
      imports: [UsersModule],
      controllers: [LoginController],
      providers: [WeChatUsers],
    })
    class AuthModule {}
    const app = await listen(port, {
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => keys] }),
        WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
        AuthModule,
      ],
    });

    const { callback } = await login(url);
    expect(callback.status).toBe(200);
    // UsersModule's own instance of UsersService, the one the validator was given.
    const users = app.select(UsersModule).get(UsersService);
    expect(callback.body.user).toEqual(users.users.get(alice().openid));
  });
});

describe('redirects for browsers', () => {
  let url: string;

  // A sign-up flow of its own, with its own callback route and pages; the module's stay for the others.
  @Injectable()
  class SignupGuard extends WxAuthGuard {
    override getAuthenticateOptions(_context: ExecutionContext): WxAuthenticateOptions {
      return {
        callbackURL: `${url}/signup/wechat/done`,
        successRedirect: '/welcome',
        failureRedirect: '/signup?step=wechat',
      };
    }
  }

  @Controller('signup/wechat')
  @UseGuards(SignupGuard)
  class SignupController {
    @Get()
    start(): void {}

    @Get('done')
    done(): void {}
  }

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await listen(port, {
      imports: [
        WxOAuthModule.forRoot(
          wxOptions(url, { successRedirect: '/home', failureRedirect: '/login/failed' }),
        ),
      ],
      controllers: [LoginController, SignupController],
    });
  });

  it('sends a logged-in browser to successRedirect, or to the returnTo it asked for', async () => {
    const plain = await login(url);
    expect(plain.callback.status).toBe(302);
    expect(plain.callback.headers.location).toBe('/home');
    const asked = await login(url, '/auth/wechat?returnTo=%2Forders%2F7');
    expect(asked.callback.headers.location).toBe('/orders/7');
  });

  it("sends a failed login to failureRedirect with the error's kind", async () => {
    const started = await startLogin(url);
    const denied = await authorize(
      decideUrl(started.authorizeUrl, sandbox.url, 'alice', 'deny').toString(),
    );
    const res = await get(url, denied.pathname + denied.search, started.cookie);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login/failed?wx_error=denied');

    const noCookie = await authorize((await startLogin(url)).authorizeUrl);
    const stale = await get(url, noCookie.pathname + noCookie.search);
    expect(stale.headers.location).toBe('/login/failed?wx_error=invalid_state');
  });

  it("takes a guard's own redirects from getAuthenticateOptions", async () => {
    const ok = await login(url, '/signup/wechat');
    expect(ok.callback.headers.location).toBe('/welcome');

    const started = await startLogin(url, '/signup/wechat');
    const denied = await authorize(
      decideUrl(started.authorizeUrl, sandbox.url, 'alice', 'deny').toString(),
    );
    const res = await get(url, denied.pathname + denied.search, started.cookie);
    expect(res.headers.location).toBe('/signup?step=wechat&wx_error=denied');
  });

  it('answers a mistake in the login start with 400, not the failure redirect', async () => {
    const res = await get(
      url,
      `/auth/wechat?returnTo=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, kind: 'invalid_request' });
  });

  it('answers JSON where no redirect is set', async () => {
    const port = await freePort();
    const plainUrl = `http://127.0.0.1:${port}`;
    await listen(port, {
      imports: [WxOAuthModule.forRoot(wxOptions(plainUrl))],
      controllers: [LoginController],
    });
    const noCookie = await authorize((await startLogin(plainUrl)).authorizeUrl);
    const res = await get(plainUrl, noCookie.pathname + noCookie.search);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, kind: 'invalid_state' });
  });
});

/** The app's user for a login handed to a front end. */
@WxValidator()
class HandoffUsers implements WxValidator {
  validate(p: WxWeChatProfile): unknown {
    return { id: p.openid, name: p.nickname, openid: p.openid };
  }
}

/** What the README's SPA section has the API answer: the app's own token for the handed-over user. */
@Controller('auth/wechat')
class HandoffController {
  readonly tokens = new Map<string, AppUser>();

  constructor(private readonly handoff: WxHandoff) {}

  @Post('handoff')
  @HttpCode(200)
  async exchange(
    @Body('code') code: unknown,
    @Headers('origin') origin: string | undefined,
  ): Promise<{ token: string; user: AppUser }> {
    const user = await this.handoff.redeem<AppUser>(code, origin);
    const token = randomUUID();
    this.tokens.set(token, user);
    return { token, user };
  }
}

describe('the login handed to a front end on another origin', () => {
  const SPA = 'http://localhost:5173';
  let url: string;

  /** The API, allowing the SPA on `frontend`, with the README's handoff route and CORS. */
  async function listenApi(
    frontend: string,
  ): Promise<{ url: string; tokens: Map<string, AppUser> }> {
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const app = await listen(
      port,
      {
        imports: [WxOAuthModule.forRoot(wxOptions(apiUrl, { frontendOrigins: [frontend] }))],
        controllers: [LoginController, HandoffController],
        providers: [HandoffUsers],
      },
      (app) => app.enableCors({ origin: [frontend] }),
    );
    return { url: apiUrl, tokens: app.get(HandoffController).tokens };
  }

  beforeAll(async () => {
    ({ url } = await listenApi(SPA));
  });

  /** Logs in with a returnTo on the SPA; the callback's redirect back to it. */
  async function handedOver(returnTo = `${SPA}/orders/7`): Promise<URL> {
    const { callback } = await login(url, `/auth/wechat?returnTo=${encodeURIComponent(returnTo)}`);
    expect(callback.status).toBe(302);
    return new URL(String(callback.headers.location));
  }

  const exchange = (code: string | null, origin = SPA) =>
    fetch(`${url}/auth/wechat/handoff`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin },
      body: JSON.stringify({ code }),
    });

  it('redirects to the SPA with a one-time code, and no token, in the URL', async () => {
    const back = await handedOver();
    expect(back.origin + back.pathname).toBe(`${SPA}/orders/7`);
    expect([...back.searchParams.keys()]).toEqual(['wx_handoff']);
    expect(back.searchParams.get('wx_handoff')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('exchanges the code once, from the SPA’s origin, under its CORS settings', async () => {
    const code = (await handedOver()).searchParams.get('wx_handoff');
    const res = await exchange(code);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(await res.json()).toMatchObject({
      token: expect.any(String),
      user: { openid: alice().openid },
    });

    const replay = await exchange(code);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ statusCode: 401, kind: 'invalid_handoff' });
  });

  it('refuses a code from another origin, an unknown code and a missing one (401)', async () => {
    const code = (await handedOver()).searchParams.get('wx_handoff');
    const foreign = await exchange(code, 'https://evil.example');
    expect(foreign.status).toBe(401);
    expect(await foreign.text()).toContain('was issued to another origin');
    // Spent by the foreign attempt: the one who saw it first cannot leave it for later.
    expect((await exchange(code)).status).toBe(401);
    expect((await exchange('A'.repeat(43))).status).toBe(401);
    expect((await exchange(null)).status).toBe(401);
  });

  it('refuses a returnTo on an origin not on the list (400), before WeChat', async () => {
    const res = await get(
      url,
      `/auth/wechat?returnTo=${encodeURIComponent('https://evil.example/x')}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('http://localhost:5173');
  });

  it('logs an SPA on another origin in, in Chromium: the code exchanged once, then out of the URL', async () => {
    // Two origins, as a Vite dev server and the API: ports differ, so the browser applies CORS.
    const spaPort = await freePort();
    const spaUrl = `http://127.0.0.1:${spaPort}`;
    const api = await listenApi(spaUrl);
    const spa = await serveSpa(spaPort, api.url);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const handedBack: string[] = [];
      page.on('request', (req) => {
        if (req.url().includes('wx_handoff=')) handedBack.push(req.url());
      });
      await page.goto(`${spaUrl}/orders/7`);
      await page.click('#login');
      await page.waitForFunction("document.querySelector('#status').textContent !== 'Signed out'");
      expect(await page.textContent('#status')).toBe(`Signed in as ${alice().nickname}`);
      expect(page.url()).toBe(`${spaUrl}/orders/7`);
      const token = await page.evaluate<string>("sessionStorage.getItem('token')");
      expect(api.tokens.get(token)).toMatchObject({ openid: alice().openid });

      // The code the browser came back with is spent, even from the SPA's own origin.
      expect(handedBack).toHaveLength(1);
      const code = new URL(handedBack[0]).searchParams.get('wx_handoff');
      const replay = await page.evaluate(
        ([url, code]) =>
          fetch(`${url}/auth/wechat/handoff`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ code }),
          }).then((res) => res.status),
        [api.url, code],
      );
      expect(replay).toBe(401);
    } finally {
      await browser.close();
      await spa.close();
    }
  });
});

describe('traps refused where they are made', () => {
  const compile = (options: WxOAuthModuleOptions) =>
    Test.createTestingModule({ imports: [WxOAuthModule.forRoot(options)] }).compile();

  it('refuses # in callbackURL at start-up', async () => {
    await expect(
      compile(wxOptions('http://127.0.0.1:3000', { callbackURL: 'http://127.0.0.1:3000/cb#x' })),
    ).rejects.toThrow('- callbackURL: must not contain #: WeChat would send it back as %23');
  });

  it('refuses snsapi_login as the scope with an official account at start-up', async () => {
    const { appid: _appid, secret: _secret, ...rest } = wxOptions('http://127.0.0.1:3000');
    await expect(
      compile({
        ...rest,
        officialAccount: { appid: 'wx-official-account', secret: sandbox.secret },
        website: { appid: 'wx-website-app', secret: sandbox.secret },
        scope: 'snsapi_login',
      }),
    ).rejects.toThrow(
      "- scope: is the scope inside WeChat when officialAccount is set: snsapi_base or snsapi_userinfo (other browsers get the website QR login, or a route asks for it with @WxAuthScope('snsapi_login'))",
    );
  });

  it('names a missing key as missing', async () => {
    const keys = { WX_APPID: sandbox.appid, WX_SECRET: sandbox.secret };
    await expect(
      Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => keys] }),
          WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
        ],
      }).compile(),
    ).rejects.toThrow('- WX_CALLBACK_URL: is required');
  });

  it('refuses to start when no route serves the callback path', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await expect(
      listen(port, {
        imports: [
          WxOAuthModule.forRoot(wxOptions(url, { callbackURL: `${url}/auth/wechat/done` })),
        ],
        controllers: [LoginController],
      }),
    ).rejects.toThrow(
      'No GET route serves /auth/wechat/done, the path of callbackURL: WeChat would send every login back to a 404. ' +
        'Guard a route on that path with WxAuthGuard, or set callbackURL to the path of the route that has it.',
    );
  });

  it('in development, refuses a login started on another host than the callback’s, naming both', async () => {
    const port = await freePort();
    await listen(port, {
      imports: [WxOAuthModule.forRoot(wxOptions(`http://localhost:${port}`))],
      controllers: [LoginController],
    });
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      const res = await get(`http://127.0.0.1:${port}`, '/auth/wechat');
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        `This login started on "127.0.0.1:${port}", but the callback URL is on "localhost": ` +
          "the browser would not bring the login's cookie back. Open the site on localhost, or set the " +
          'callback URL to this host. (Checked when NODE_ENV is unset or development.)',
      );
    } finally {
      process.env.NODE_ENV = env;
    }
  });
});
