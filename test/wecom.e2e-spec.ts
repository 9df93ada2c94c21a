import { readFile } from 'node:fs/promises';
import {
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  WxAuthGuard,
  type WxAuthGuardOptions,
  WxWeComLoginPanel,
  WxWeComLoginRoute,
  type WxOAuthModuleOptions,
  WxOAuthModule,
  type WxWeComLoginRouteOptions,
} from 'nest-wx-oauth';
import { CookieJar, loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import { AuthController } from './support/auth.controller.js';
import type { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { type Running, startProcess } from './support/child-process.js';
import { RedisServer } from './support/redis-server.js';

const IN_WECOM =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh';
const DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

/** What every answer of the apps and the sandbox said, for the check that no secret is in any. */
const answers: string[] = [];

/** A guard that asks WeCom for the member's details, whatever the route's decorator says. */
@Injectable()
class PrivateInfoGuard extends WxAuthGuard {
  override getAuthenticateOptions(context: ExecutionContext): WxAuthGuardOptions {
    return { ...super.getAuthenticateOptions(context), scope: 'snsapi_privateinfo' };
  }
}

/**
 * The WeCom login route, its own callback, answering the user and the login's state; beside it
 * routes that start logins with options of their own, which WeCom brings back to the callback.
 */
function weComController(options?: WxWeComLoginRouteOptions) {
  @Controller('auth/wecom')
  class WeComController {
    constructor(private readonly panel: WxWeComLoginPanel) {}

    @Get()
    @UseGuards(WxAuthGuard)
    @WxWeComLoginRoute(options)
    logIn(@Req() req: { user?: unknown; authInfo?: unknown }): unknown {
      return { user: req.user, authInfo: req.authInfo };
    }

    @Get('open')
    @UseGuards(WxAuthGuard)
    @WxWeComLoginRoute({ nonMembers: 'accept' })
    logInAnyone(): void {}

    @Get('details')
    @UseGuards(PrivateInfoGuard)
    @WxWeComLoginRoute()
    logInWithDetails(): void {}

    /** A page's params for `ww.createWWLoginPanel`, as JSON. */
    @Get('panel')
    panelParams(@Req() req: object, @Res({ passthrough: true }) res: object): Promise<unknown> {
      return this.panel.settings(req, res);
    }
  }
  return WeComController;
}

interface Landed {
  status: number;
  location: string | null;
  body: unknown;
  /** The code WeCom gave, spent by this login. */
  code: string;
}

/**
 * A browser's WeCom login: the app's route, WeCom's page as `user` (consenting or not), back
 * to the app with the code; `finishOn` is another instance's origin the callback reaches.
 */
async function weComLogin(
  appUrl: string,
  user: string,
  {
    userAgent = IN_WECOM,
    consent,
    returnTo,
    finishOn,
    beforeCallback,
    startOn = '/auth/wecom',
  }: {
    /** The login route the browser starts on. */
    startOn?: string;
    userAgent?: string;
    consent?: 'agree' | 'decline';
    returnTo?: string;
    finishOn?: string;
    beforeCallback?: () => void;
  } = {},
): Promise<Landed> {
  const jar = new CookieJar();
  const query = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
  const start = await fetch(`${appUrl}${startOn}${query}`, {
    headers: { 'user-agent': userAgent },
    redirect: 'manual',
  });
  answers.push(await start.text(), start.headers.get('location') ?? '');
  expect(start.status).toBe(302);
  jar.apply(start.headers.getSetCookie());
  const page = new URL(start.headers.get('location')!);
  page.searchParams.set('sandbox_user', user);
  if (consent) page.searchParams.set('sandbox_consent', consent);
  const wecom = await fetch(page, { headers: { 'user-agent': userAgent }, redirect: 'manual' });
  expect(wecom.status).toBe(302);
  const back = new URL(wecom.headers.get('location')!);
  const code = back.searchParams.get('code')!;
  beforeCallback?.();
  const callback = finishOn ? back.href.replace(back.origin, finishOn) : back.href;
  const landed = await fetch(callback, {
    headers: { 'user-agent': userAgent, cookie: jar.header() },
    redirect: 'manual',
  });
  const text = await landed.text();
  answers.push(text, landed.headers.get('location') ?? '');
  return {
    status: landed.status,
    location: landed.headers.get('location'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
    code,
  };
}

describe.each(['express', 'fastify'] as const)('WeCom login on %s (e2e)', (adapter) => {
  let sandbox: WxSandbox;
  const loggers: CaptureLogger[] = [];
  const codes: string[] = [];

  /**
   * An app on a free port with the sandbox's WeCom app (and `extra`), its login route's
   * `options`, for the tests of a `describe`: passport's strategies are the process's, so one
   * app at a time.
   */
  const appFor = (
    options: WxWeComLoginRouteOptions | undefined,
    extra: Partial<WxOAuthModuleOptions> = {},
  ): (() => string) => {
    let url = '';
    let app: INestApplication | undefined;
    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const { agentid, secret } = sandbox.corpApp();
      const listening = await listenApp(
        port,
        {
          imports: [
            WxOAuthModule.forRoot({
              wecom: { corpid: sandbox.corpid, agentid, secret, callbackURL: `${url}/auth/wecom` },
              openBaseUrl: sandbox.url,
              wecomApiBaseUrl: sandbox.url,
              wecomLoginBaseUrl: sandbox.url,
              timeout: 1000,
              ...extra,
            }),
          ],
          controllers: [weComController(options)],
        },
        undefined,
        adapter,
      );
      ({ app } = listening);
      loggers.push(listening.logger);
      if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
    });
    afterAll(() => app?.close());
    return () => url;
  };

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  afterAll(() => sandbox.close());
  afterEach(() => sandbox.clearFaults());

  /** A login, its code kept for the leak check. */
  const logIn = async (...args: Parameters<typeof weComLogin>) => {
    const landed = await weComLogin(...args);
    codes.push(landed.code);
    return landed;
  };

  describe('a route with the defaults', () => {
    const plain = appFor(undefined);

    it('logs a member in inside the WeCom client, with the userid alone', async () => {
      const landed = await logIn(plain(), 'zhangsan', { returnTo: '/desk' });
      expect(landed.status).toBe(200);
      expect(landed.body).toEqual({
        user: expect.objectContaining({
          provider: 'wecom',
          via: 'wecom',
          member: true,
          corpid: sandbox.corpid,
          agentid: sandbox.corpApp().agentid,
          userid: 'ZhangSan',
        }),
        authInfo: {
          state: { returnTo: '/desk', appid: `${sandbox.corpid}-${sandbox.corpApp().agentid}` },
        },
      });
      expect((landed.body as { user: object }).user).not.toHaveProperty('name');
    });

    it('logs a member in on the web, through the web login page', async () => {
      const landed = await logIn(plain(), 'lisi', { userAgent: DESKTOP });
      expect(landed.status).toBe(200);
      expect(landed.body).toMatchObject({ user: { member: true, userid: 'LiSi' } });
    });

    it('refuses a non-member with a clear 403', async () => {
      const refused = await logIn(plain(), 'guest');
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        statusCode: 403,
        kind: 'not_member',
        message: expect.stringContaining('Only members of the corp may log in here'),
      });
    });

    it('gives the embedded panel its params with a state the login route takes back', async () => {
      const jar = new CookieJar();
      const page = await fetch(`${plain()}/auth/wecom/panel`);
      jar.apply(page.headers.getSetCookie());
      const params = (await page.json()) as Record<string, string>;
      expect(params).toMatchObject({
        login_type: 'CorpApp',
        appid: sandbox.corpid,
        agentid: sandbox.corpApp().agentid,
        redirect_uri: `${plain()}/auth/wecom`,
        redirect_type: 'top',
      });
      const code = sandbox.weComCode({ user: 'zhangsan', web: true });
      codes.push(code);
      const landed = await fetch(`${plain()}/auth/wecom?code=${code}&state=${params.state}`, {
        headers: { cookie: jar.header() },
      });
      expect(landed.status).toBe(200);
      expect(await landed.json()).toMatchObject({ user: { userid: 'ZhangSan' } });
    });

    it('applies the options of the route that started the login, back on the callback route', async () => {
      // The callback route refuses non-members; the route the login started on accepts them.
      const customer = await logIn(plain(), 'customer', { startOn: '/auth/wecom/open' });
      expect(customer.status).toBe(200);
      expect(customer.body).toMatchObject({
        user: { member: false, externalUserid: expect.any(String) },
      });
      expect((await logIn(plain(), 'customer')).status).toBe(403);
    });

    it("takes a guard subclass's WeCom scope, and the details after consent", async () => {
      const agreed = await logIn(plain(), 'zhangsan', {
        startOn: '/auth/wecom/details',
        consent: 'agree',
      });
      expect(agreed.body).toMatchObject({ user: { userid: 'ZhangSan', name: '张三' } });
    });

    it("answers 60020 with a 502 that says to add the server's IP to the app's trusted IPs", async () => {
      const { agentid } = sandbox.corpApp();
      sandbox.setIpTrusted(sandbox.corpid, agentid, false);
      try {
        const landed = await logIn(plain(), 'zhangsan');
        expect(landed.status).toBe(502);
        expect(landed.body).toMatchObject({
          kind: 'app_config',
          errcode: 60020,
          message: expect.stringMatching(/trusted IPs: add it in the WeCom admin console/),
        });
      } finally {
        sandbox.setIpTrusted(sandbox.corpid, agentid, true);
      }
    });

    it('answers an expired code with a 401', async () => {
      const landed = await logIn(plain(), 'zhangsan', {
        beforeCallback: () => sandbox.advance(5 * 60_000 + 1000),
      });
      expect(landed.status).toBe(401);
      expect(landed.body).toMatchObject({ kind: 'invalid_code', errcode: 40029 });
    });

    it.each([
      { name: 'system busy (-1)', fault: { type: 'errcode', errcode: -1 } as const, status: 502 },
      { name: 'an HTTP 500', fault: { type: 'http500' } as const, status: 502 },
      { name: 'no answer', fault: { type: 'delay', ms: 2000 } as const, status: 504 },
    ])('answers $name with a $status', async ({ fault, status }) => {
      sandbox.inject(fault, { endpoint: 'auth_getuserinfo' });
      expect((await logIn(plain(), 'zhangsan')).status).toBe(status);
    });
  });

  describe('a route that asks for details and accepts non-members', () => {
    const details = appFor({ scope: 'snsapi_privateinfo', nonMembers: 'accept' });

    it('gives the details a member has after consent, none when declined', async () => {
      const agreed = await logIn(details(), 'zhangsan', { consent: 'agree' });
      expect(agreed.body).toMatchObject({
        user: {
          userid: 'ZhangSan',
          name: '张三',
          mobile: '13800138000',
          email: 'zhangsan@sandbox.test',
          gender: 'male',
        },
      });
      const lisi = (await logIn(details(), 'lisi', { consent: 'agree' })).body as { user: object };
      expect(lisi.user).toMatchObject({ name: '李四', mobile: '13900139000' });
      expect(lisi.user).not.toHaveProperty('email');
      const declined = (await logIn(details(), 'zhangsan', { consent: 'decline' })).body as {
        user: object;
      };
      expect(declined.user).toMatchObject({ member: true, userid: 'ZhangSan' });
      expect(declined.user).not.toHaveProperty('name');
      expect(declined.user).not.toHaveProperty('mobile');
    });

    it('hands the app a non-member, told apart by member: false', async () => {
      const customer = await logIn(details(), 'customer');
      expect(customer.status).toBe(200);
      expect(customer.body).toMatchObject({
        user: { member: false, openid: expect.any(String), externalUserid: expect.any(String) },
      });
    });
  });

  describe('with redirects', () => {
    const redirects = appFor(undefined, { successRedirect: '/home', failureRedirect: '/login' });

    it("goes to the login's returnTo, else successRedirect, a failure to failureRedirect with its kind", async () => {
      expect(await logIn(redirects(), 'wangwu', { returnTo: '/desk' })).toMatchObject({
        status: 302,
        location: '/desk',
      });
      expect(await logIn(redirects(), 'wangwu')).toMatchObject({ status: 302, location: '/home' });
      expect(await logIn(redirects(), 'guest')).toMatchObject({
        status: 302,
        location: '/login?wx_error=not_member',
      });
    });
  });

  it('logs no secret, corp token or code, and answers none', async () => {
    const { secret } = sandbox.corpApp();
    const token = (await (
      await fetch(
        `${sandbox.url}/cgi-bin/gettoken?corpid=${sandbox.corpid}&corpsecret=${encodeURIComponent(secret)}`,
      )
    ).json()) as { access_token: string };
    expect(token.access_token).toEqual(expect.any(String));
    const logs = loggers.flatMap(({ lines }) => lines).join('\n');
    // The failures above were logged: the check reads real lines.
    expect(logs).toMatch(/60020/);
    for (const secretText of [secret, token.access_token, ...codes]) {
      expect(logs).not.toContain(secretText);
      expect(answers.join('\n')).not.toContain(secretText);
    }
  });
});

describe('WeCom beside the WeChat logins (e2e)', () => {
  let sandbox: WxSandbox;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const { agentid, secret } = sandbox.corpApp();
    ({ app } = await listenApp(port, {
      imports: [
        WxOAuthModule.forRoot({
          appid: sandbox.appid,
          secret: sandbox.secret,
          callbackURL: `${url}/auth/wechat/callback`,
          apiBaseUrl: sandbox.url,
          openBaseUrl: sandbox.url,
          wecom: { corpid: sandbox.corpid, agentid, secret, callbackURL: `${url}/auth/wecom` },
          wecomApiBaseUrl: sandbox.url,
          wecomLoginBaseUrl: sandbox.url,
        }),
      ],
      controllers: [AuthController, weComController()],
    }));
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('logs in with WeChat as before, inside WeChat and on a computer, and with WeCom', async () => {
    for (const userAgent of ['Mozilla/5.0 (iPhone) MicroMessenger/8.0.50', DESKTOP]) {
      const wechat = await loginThroughSandbox<{ provider: string; openid: string }>(url, {
        sandbox,
        path: '/auth/wechat',
        userAgent,
      });
      expect(wechat.status).toBe(200);
      expect(wechat.body).toMatchObject({ provider: 'wechat', openid: sandbox.users[0].openid });
    }
    const wecom = await weComLogin(url, 'zhangsan');
    expect(wecom.body).toMatchObject({ user: { provider: 'wecom', userid: 'ZhangSan' } });
  });
});

describe('WeCom across two instances sharing Redis (e2e)', () => {
  let sandbox: WxSandbox;
  let redis: RedisServer;
  const instances: Running[] = [];
  let a: string;
  let b: string;

  beforeAll(async () => {
    const built = await readFile(
      new URL('../libs/wx-oauth/dist/esm/index.js', import.meta.url),
      'utf8',
    ).catch(() => '');
    if (!built.includes('WxWeComLoginRoute'))
      throw new Error('The instances run the library as built: npm run build first');
    sandbox = await WxSandbox.start();
    redis = await RedisServer.start();
    const ports = [await freePort(), await freePort()];
    [a, b] = ports.map((port) => `http://127.0.0.1:${port}`);
    const { agentid, secret } = sandbox.corpApp();
    for (const port of ports)
      instances.push(
        await startProcess(['node', 'test/support/wecom-instance.mjs'], {
          cwd: new URL('..', import.meta.url).pathname,
          env: {
            PATH: process.env.PATH,
            PORT: String(port),
            // One callback URL in front of both, as a load balancer's.
            WX_WECOM_CALLBACK_URL: `${a}/auth/wecom`,
            WX_WECOM_CORPID: sandbox.corpid,
            WX_WECOM_AGENTID: agentid,
            WX_WECOM_SECRET: secret,
            SANDBOX_URL: sandbox.url,
            REDIS_URL: redis.url,
          },
          ready: /WeCom instance on/,
        }),
      );
  }, 30_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.stop();
    await sandbox?.close();
  });

  it('fetches one corp token for many logins, started and finished on either', async () => {
    sandbox.resetStats();
    const users = ['zhangsan', 'lisi', 'wangwu', 'zhangsan', 'lisi', 'wangwu'];
    const logins = await Promise.all(
      users.map((user, i) => weComLogin(i % 2 ? b : a, user, { finishOn: i % 3 ? b : a })),
    );
    expect(
      logins.map(({ status, body }) => [
        status,
        (body as { user?: { userid?: string } })?.user?.userid,
      ]),
    ).toEqual([
      [200, 'ZhangSan'],
      [200, 'LiSi'],
      [200, 'WangWu'],
      [200, 'ZhangSan'],
      [200, 'LiSi'],
      [200, 'WangWu'],
    ]);
    expect(sandbox.stats.requests.gettoken).toBe(1);
    expect(sandbox.stats.requests.auth_getuserinfo).toBe(users.length);
    const output = instances.map((instance) => instance.output()).join('\n');
    expect(output).not.toContain(sandbox.corpApp().secret);
    for (const { code } of logins) expect(output).not.toContain(code);
  });
});
