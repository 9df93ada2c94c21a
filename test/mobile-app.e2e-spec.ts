/**
 * The native app login (iOS, Android, HarmonyOS, multi-end) beside the web and
 * mini-program logins, over HTTP against the sandbox, on Express and Fastify:
 * the state the server issues and the app posts back with the OpenSDK's code,
 * refused before WeChat when it is missing, forged, replayed, expired or
 * another tenant's; the same person as on the web and in the mini-program by
 * unionid, whichever came first; every WeChat error at its status; the app's
 * tokens refreshed; the multi-end app's identity code; the per-client bound;
 * two instances sharing a real Redis; no secret, token, code or state in a log
 * line or an error response.
 *
 * Passport keeps one strategy per name in the process, the last app built
 * wins: each block builds its apps in its own hooks or test, never earlier.
 */
import {
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Injectable,
  type ModuleMetadata,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WxAppLoginRoute,
  type WxAppState,
  WxAppStates,
  WxAuthGuard,
  WxMemoryStore,
  WxOAuthModule,
  type WxOAuthStore,
  WxWeChatProfile,
  type WxTenant,
  WxTokenService,
  WxValidator,
} from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import { CaptureLogger } from './support/capture-logger.js';
import {
  AuthController as LoginController,
  MiniProgramLoginController,
} from './support/auth.controller.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { RedisServer } from './support/redis-server.js';

const MP = 'wx0acme0official01';
const WEB = 'wx0acme0website001';
const MINI = 'wx0acme0miniprog01';
const MOBILE = 'wx0acme0mobileapp1';
const DONUT = 'wx0acme0multiend01';
/** Another tenant's mobile app, on its own Open Platform account. */
const BOLT_MOBILE = 'wx0bolt0mobileapp1';
const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI';
/** The module's clock token (`WX_OAUTH:CLOCK`): the one provider specs override to move time. */
const WX_OAUTH_CLOCK = 'WX_OAUTH:CLOCK';
const STATE_TTL = 300_000;
const MAX_PER_CLIENT = 20;
const STATE = /^[A-Za-z0-9_-]{43}$/;

const USERS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
] as const;

interface AppUser {
  id: string;
  unionid?: string;
  openids: Record<string, string>;
}

/** The app's users, keyed by unionid, each app's openid beside it (as the README has it). */
@Injectable()
class UsersService {
  readonly byId = new Map<string, AppUser>();
  /** The last profile the validator was given, for the scan for secrets. */
  lastProfile?: WxWeChatProfile;

  link(profile: WxWeChatProfile): AppUser {
    this.lastProfile = profile;
    const id = profile.unionid ?? `${profile.appid}:${profile.openid}`;
    const user = this.byId.get(id) ?? { id, openids: {} };
    if (profile.unionid) user.unionid = profile.unionid;
    user.openids[profile.appid] = profile.openid;
    this.byId.set(id, user);
    return user;
  }
}

/** The app's one validator, for every login kind: it links by unionid. */
@WxValidator()
class AppValidator implements WxValidator {
  constructor(private readonly users: UsersService) {}

  validate(profile: WxWeChatProfile): AppUser {
    return this.users.link(profile);
  }
}

/** The web login and its callback, and the mini-program's login, as the README has them. */
const LOGIN_CONTROLLERS = [LoginController, MiniProgramLoginController];

@Controller()
class AuthController {
  constructor(
    private readonly states: WxAppStates,
    private readonly users: UsersService,
  ) {}

  @Get('last-profile')
  lastProfile(): unknown {
    return this.users.lastProfile;
  }

  /** The app asks for a state before it opens WeChat through the OpenSDK. */
  @Post('auth/wechat/app/state')
  @HttpCode(200)
  appState(@Req() req: Request): Promise<WxAppState> {
    return this.states.issue(req);
  }

  @Post('auth/wechat/app')
  @HttpCode(200)
  @WxAppLoginRoute()
  @UseGuards(WxAuthGuard)
  app(@Req() req: Request): unknown {
    return req.user;
  }

  /** An app that cannot ask for a state first, at the documented risk. */
  @Post('auth/wechat/app/no-state')
  @HttpCode(200)
  @WxAppLoginRoute({ checkState: false })
  @UseGuards(WxAuthGuard)
  appWithoutState(@Req() req: Request): unknown {
    return req.user;
  }
}

/** The same routes for many tenants, told apart by the path's prefix. */
@Controller('t/:tenant/auth/wechat/app')
class TenantAppController {
  constructor(private readonly states: WxAppStates) {}

  @Post('state')
  @HttpCode(200)
  appState(@Req() req: Request): Promise<WxAppState> {
    return this.states.issue(req);
  }

  @Post()
  @HttpCode(200)
  @WxAppLoginRoute()
  @UseGuards(WxAuthGuard)
  app(@Req() req: Request): unknown {
    return req.user;
  }
}

/** The module's clock: real time plus what the spec advanced, as the sandbox's. */
class AdvancingClock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}

let sandbox: WxSandbox;
/** Every secret, token, code and state the suite saw: none may reach a log line or an error response. */
const secrets = new Set<string>();
/** Every app response but the state route's own successes, which carry their state. */
const responses: { status: number; text: string }[] = [];
const loggers: CaptureLogger[] = [];
const apps: INestApplication[] = [];

function keep(secret: string | undefined): void {
  if (secret) secrets.add(secret);
}

/** The store, recording every token and key the module keeps in it (users' and apps' tokens). */
function recordingStore<T extends WxOAuthStore>(store: T): T {
  const collect = (value: string) => {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return;
      for (const [key, field] of Object.entries(parsed))
        if (typeof field === 'string' && /token|key|secret/i.test(key)) keep(field);
    } catch {
      // Not JSON: a marker, never a secret.
    }
  };
  const set = store.set.bind(store);
  const setIfLocked = store.setIfLocked.bind(store);
  store.set = (key, value, ttlMs) => {
    collect(value);
    return set(key, value, ttlMs);
  };
  store.setIfLocked = (key, value, ttlMs, lockId) => {
    collect(value);
    return setIfLocked(key, value, ttlMs, lockId);
  };
  return store;
}

beforeAll(async () => {
  sandbox = await WxSandbox.start({
    apps: [
      { appid: MP, kind: 'officialAccount', openPlatform: 'acme' },
      { appid: WEB, kind: 'website', openPlatform: 'acme' },
      { appid: MINI, kind: 'miniProgram', openPlatform: 'acme' },
      { appid: MOBILE, kind: 'mobileApp', openPlatform: 'acme' },
      { appid: DONUT, kind: 'multiEndApp', mobileAppid: MOBILE },
      { appid: BOLT_MOBILE, kind: 'mobileApp', openPlatform: 'bolt' },
    ],
    users: USERS.map((key) => ({ key, nickname: key[0].toUpperCase() + key.slice(1) })),
  });
  for (const app of sandbox.apps) keep(app.secret);
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await sandbox?.close();
});

const credentials = (appid: string) => ({ appid, secret: sandbox.app(appid).secret });

/** A Nest app on a real port, on `adapter`, its logs captured and its module clock `clock`; closed with `closing`. */
async function startApp(
  metadata: ModuleMetadata,
  adapter: 'express' | 'fastify',
  clock: AdvancingClock,
  port: number,
  closing: INestApplication[] = apps,
): Promise<INestApplication> {
  const { app, logger } = await listenApp(port, metadata, undefined, adapter, (builder) =>
    builder.overrideProvider(WX_OAUTH_CLOCK).useValue(clock),
  );
  closing.push(app);
  loggers.push(logger);
  return app;
}

interface Site {
  url: string;
  app: INestApplication;
  users: UsersService;
  clock: AdvancingClock;
}

/** A site with every app of acme's: the official account, the website app, the mini-program, the mobile and multi-end apps. */
async function startSite(adapter: 'express' | 'fastify'): Promise<Site> {
  const port = await freePort();
  const clock = new AdvancingClock();
  const app = await startApp(
    {
      imports: [
        WxOAuthModule.forRoot({
          officialAccount: credentials(MP),
          website: credentials(WEB),
          miniProgram: credentials(MINI),
          mobileApp: credentials(MOBILE),
          multiEndApp: credentials(DONUT),
          callbackURL: `http://127.0.0.1:${port}/auth/wechat/callback`,
          scope: 'snsapi_userinfo',
          apiBaseUrl: sandbox.url,
          openBaseUrl: sandbox.url,
          timeout: 1000,
          store: recordingStore(new WxMemoryStore({}, clock)),
        }),
      ],
      controllers: [...LOGIN_CONTROLLERS, AuthController],
      providers: [UsersService, AppValidator],
    },
    adapter,
    clock,
    port,
  );
  return { url: `http://127.0.0.1:${port}`, app, users: app.get(UsersService), clock };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** What the app does: POSTs JSON (or a form, or anything) to the site. */
async function post(url: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  responses.push({ status: response.status, text });
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** `POST <prefix>/auth/wechat/app/state`: the state, or the refusal. */
async function requestState(
  url: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/auth/wechat/app/state`, { method: 'POST' });
  const text = await response.text();
  // The state's own answer carries it; any other answer is scanned.
  if (response.status !== 200) responses.push({ status: response.status, text });
  const body = JSON.parse(text) as Record<string, unknown>;
  if (typeof body.state === 'string') keep(body.state);
  return { status: response.status, body };
}

async function issueState(url: string): Promise<string> {
  const { status, body } = await requestState(url);
  expect(status).toBe(200);
  expect(body).toEqual({ state: expect.stringMatching(STATE), expiresIn: STATE_TTL / 1000 });
  return body.state as string;
}

/** The OpenSDK's login in the mobile app, approved by `user`: its code, with the state handed back. */
function openSdk(user: string, state?: string, appid = MOBILE): { code: string; state?: string } {
  const response = sandbox.appLogin({ user, appid, state });
  keep(response.code);
  return response;
}

function identityCode(user: string): string {
  const code = sandbox.identityCode({ user, appid: DONUT });
  keep(code);
  return code;
}

/** The profile the validator was last given, scanned for secrets as a response. */
async function lastProfile(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/last-profile`);
  const text = await response.text();
  responses.push({ status: response.status, text });
  return JSON.parse(text) as Record<string, unknown>;
}

/** A native app's whole login: a state from the site, the OpenSDK, the code and state posted. */
async function appLogin(url: string, user: string): Promise<Answer> {
  const sent = openSdk(user, await issueState(url));
  return post(`${url}/auth/wechat/app`, sent);
}

/** A multi-end app's login: a state, `wx.weixinAppLogin()`'s code, posted with `multiEnd: true`. */
async function multiEndLogin(url: string, user: string): Promise<Answer> {
  const state = await issueState(url);
  return post(`${url}/auth/wechat/app`, { code: identityCode(user), state, multiEnd: true });
}

async function miniLogin(url: string, user: string): Promise<Answer> {
  const code = sandbox.wxLogin(user, MINI);
  keep(code);
  const answer = await post(`${url}/auth/wechat/miniprogram`, { code });
  keep(sandbox.sessionKeyOf(user, MINI));
  return answer;
}

/** The browser's login: the website's QR page, or inside WeChat the official account's. */
async function webLogin(url: string, user: string, inWeChat: boolean): Promise<Answer> {
  sandbox.setAutoApprove(user);
  try {
    const login = await loginThroughSandbox<Record<string, unknown>>(url, {
      sandbox,
      ...(inWeChat ? { userAgent: WECHAT_UA } : {}),
    });
    const callback = new URL(login.callbackUrl);
    keep(callback.searchParams.get('code') ?? undefined);
    keep(callback.searchParams.get('state') ?? undefined);
    responses.push({ status: login.status, text: login.text });
    return { status: login.status, body: login.body ?? {} };
  } finally {
    sandbox.setAutoApprove(false);
  }
}

const exchanges = () => sandbox.stats.requests.access_token ?? 0;

describe.each(['express', 'fastify'] as const)('the native app login on %s', (adapter) => {
  let site: Site;
  let url: string;

  beforeAll(async () => {
    site = await startSite(adapter);
    url = site.url;
  });

  /** Time passes for the module and for WeChat alike. */
  const advance = (ms: number) => {
    site.clock.advance(ms);
    sandbox.advance(ms);
  };

  type Login = 'web' | 'mini' | 'app';
  const ORDERS: Login[][] = [
    ['web', 'mini', 'app'],
    ['web', 'app', 'mini'],
    ['mini', 'web', 'app'],
    ['mini', 'app', 'web'],
    ['app', 'web', 'mini'],
    ['app', 'mini', 'web'],
  ];

  it.each(ORDERS.map((order, i) => [order.join(' → '), order, USERS[i], i % 2 === 1] as const))(
    'is one user by unionid on the web, in the mini-program and in the app: %s',
    async (_, order, user, inWeChat) => {
      const webApp = inWeChat ? MP : WEB;
      const unionid = sandbox.unionidOf(user, MOBILE)!;
      expect(unionid).toEqual(expect.any(String));
      expect(site.users.byId.has(unionid)).toBe(false);
      const before = site.users.byId.size;
      const answers: Answer[] = [];
      for (const login of order) {
        const answer =
          login === 'web'
            ? await webLogin(url, user, inWeChat)
            : login === 'mini'
              ? await miniLogin(url, user)
              : await appLogin(url, user);
        expect({ login, status: answer.status }).toEqual({ login, status: 200 });
        expect(answer.body.id).toBe(unionid);
        answers.push(answer);
        if (login === 'app') {
          expect(await lastProfile(url)).toMatchObject({
            via: 'mobileApp',
            provider: 'wechat',
            appid: MOBILE,
            openid: sandbox.openidOf(user, MOBILE),
            unionid,
            scope: ['snsapi_userinfo'],
            isSnapshotUser: false,
          });
        }
      }
      // Each app's own openid, one person.
      const openids = {
        [webApp]: sandbox.openidOf(user, webApp),
        [MINI]: sandbox.openidOf(user, MINI),
        [MOBILE]: sandbox.openidOf(user, MOBILE),
      };
      expect(new Set(Object.values(openids)).size).toBe(3);
      expect(answers.at(-1)!.body).toEqual({ id: unionid, unionid, openids });
      expect(site.users.byId.size).toBe(before + 1);
    },
  );

  it('logs the same person in through the multi-end app, with no token kept', async () => {
    // niaj through the OpenSDK, then the multi-end app: one user, by the mobile app's openid and the unionid.
    const before = site.users.byId.size;
    const opensdk = await appLogin(url, 'niaj');
    expect(opensdk.status).toBe(200);
    const multiEnd = await multiEndLogin(url, 'niaj');
    expect(multiEnd.status).toBe(200);
    const niajUnionid = sandbox.unionidOf('niaj', MOBILE)!;
    expect(multiEnd.body).toEqual({
      id: niajUnionid,
      unionid: niajUnionid,
      openids: { [MOBILE]: sandbox.openidOf('niaj', MOBILE) },
    });
    expect(await lastProfile(url)).toMatchObject({
      via: 'mobileApp',
      provider: 'wechat',
      appid: MOBILE,
      openid: sandbox.openidOf('niaj', MOBILE),
      unionid: niajUnionid,
      scope: [],
      isSnapshotUser: false,
    });
    expect(site.users.byId.size).toBe(before + 1);

    // mallory first through the multi-end app, then on the web.
    const first = await multiEndLogin(url, 'mallory');
    expect(first.status).toBe(200);
    expect(site.users.byId.size).toBe(before + 2);
    const web = await webLogin(url, 'mallory', false);
    const unionid = sandbox.unionidOf('mallory', WEB)!;
    expect(web.body).toEqual({
      id: unionid,
      unionid,
      openids: {
        [MOBILE]: sandbox.openidOf('mallory', MOBILE),
        [WEB]: sandbox.openidOf('mallory', WEB),
      },
    });
    expect(site.users.byId.size).toBe(before + 2);
    // code2verifyinfo gives no user token: nothing for WxTokenService to refresh.
    await expect(
      site.app.get(WxTokenService).getAccessTokenFor(sandbox.openidOf('mallory', MOBILE), MOBILE),
    ).rejects.toMatchObject({ kind: 'refresh_expired' });
  });

  /** Refused with 401 invalid_state before WeChat: its code, never exchanged, still logs in after. */
  async function expectRefusedBeforeWeChat(
    send: (code: string) => Promise<Answer>,
    user = 'bob',
  ): Promise<void> {
    const { code } = openSdk(user);
    const exchanged = exchanges();
    const refused = await send(code);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ statusCode: 401, kind: 'invalid_state' });
    expect(exchanges()).toBe(exchanged);
    // WeChat never saw the code: with a state of the site's, it logs in.
    const after = await post(`${url}/auth/wechat/app`, { code, state: await issueState(url) });
    expect(after.status).toBe(200);
    expect(exchanges()).toBe(exchanged + 1);
  }

  it.each([
    ['missing', () => ({})],
    ['malformed', () => ({ state: 'not-a-state' })],
    ['forged: well formed, never issued', () => ({ state: randomBytes(32).toString('base64url') })],
  ])('refuses a %s state before WeChat', async (_, state) => {
    await expectRefusedBeforeWeChat((code) => post(`${url}/auth/wechat/app`, { code, ...state() }));
  });

  it('refuses an empty state in a form before WeChat', async () => {
    await expectRefusedBeforeWeChat((code) =>
      post(`${url}/auth/wechat/app`, `code=${code}&state=`, 'application/x-www-form-urlencoded'),
    );
  });

  it('refuses an issued state with one character changed, before WeChat', async () => {
    const issued = await issueState(url);
    const altered = issued.slice(0, 10) + (issued[10] === 'A' ? 'B' : 'A') + issued.slice(11);
    await expectRefusedBeforeWeChat((code) =>
      post(`${url}/auth/wechat/app`, { code, state: altered }),
    );
    // The state issued is still good.
    expect((await post(`${url}/auth/wechat/app`, openSdk('bob', issued))).status).toBe(200);
  });

  it('refuses a replayed state before WeChat, on a new code too', async () => {
    const state = await issueState(url);
    expect((await post(`${url}/auth/wechat/app`, openSdk('bob', state))).status).toBe(200);
    await expectRefusedBeforeWeChat((code) => post(`${url}/auth/wechat/app`, { code, state }));
  });

  it('spends the state whatever the outcome: one refused by WeChat cannot be used again', async () => {
    const state = await issueState(url);
    const unknown = await post(`${url}/auth/wechat/app`, { code: 'not-a-code', state });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ kind: 'invalid_code', errcode: 40029 });
    await expectRefusedBeforeWeChat((code) => post(`${url}/auth/wechat/app`, { code, state }));
  });

  it('refuses an expired state before WeChat, and takes one within its ttl', async () => {
    const fresh = await issueState(url);
    advance(STATE_TTL - 10_000);
    expect((await post(`${url}/auth/wechat/app`, openSdk('carol', fresh))).status).toBe(200);

    const stale = await issueState(url);
    advance(STATE_TTL + 1000);
    await expectRefusedBeforeWeChat(
      (code) => post(`${url}/auth/wechat/app`, { code, state: stale }),
      'carol',
    );
  });

  it('logs a multi-end code in only with a state, spent before WeChat', async () => {
    const verified = () => sandbox.stats.requests.code2verifyinfo ?? 0;
    const before = verified();
    const code = identityCode('erin');
    const refused = await post(`${url}/auth/wechat/app`, { code, multiEnd: true });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'invalid_state' });
    expect(verified()).toBe(before);
    const state = await issueState(url);
    const answer = await post(`${url}/auth/wechat/app`, { code, state, multiEnd: true });
    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe(sandbox.unionidOf('erin', MOBILE));
    expect(verified()).toBe(before + 1);
  });

  it('logs in without a state on a checkState: false route, on both paths', async () => {
    const answer = await post(`${url}/auth/wechat/app/no-state`, { code: openSdk('frank').code });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: sandbox.unionidOf('frank', MOBILE),
      openids: { [MOBILE]: sandbox.openidOf('frank', MOBILE) },
    });
    const multiEnd = await post(`${url}/auth/wechat/app/no-state`, {
      code: identityCode('frank'),
      multiEnd: true,
    });
    expect(multiEnd.status).toBe(200);
    expect(multiEnd.body.id).toBe(sandbox.unionidOf('frank', MOBILE));
  });

  it('refuses a code used before: 401 invalid_code (40163)', async () => {
    const { code } = openSdk('frank');
    expect(
      (await post(`${url}/auth/wechat/app`, { code, state: await issueState(url) })).status,
    ).toBe(200);
    const reused = await post(`${url}/auth/wechat/app`, { code, state: await issueState(url) });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ statusCode: 401, kind: 'invalid_code', errcode: 40163 });
  });

  it("answers 403 for WeChat's high-risk user (40226), on both paths", async () => {
    sandbox.setHighRisk('grace', true);
    try {
      const app = await appLogin(url, 'grace');
      expect(app.status).toBe(403);
      expect(app.body).toMatchObject({ kind: 'user_blocked', errcode: 40226 });
      const multiEnd = await multiEndLogin(url, 'grace');
      expect(multiEnd.status).toBe(403);
      expect(multiEnd.body).toMatchObject({ kind: 'user_blocked', errcode: 40226 });
    } finally {
      sandbox.setHighRisk('grace', false);
    }
    expect((await appLogin(url, 'grace')).status).toBe(200);
  });

  it.each([
    ['502 for WeChat failing (HTTP 500)', 'access_token', { type: 'http500' } as const, 502],
    ['502 for WeChat busy (-1)', 'access_token', { type: 'errcode', errcode: -1 } as const, 502],
    ['502 for userinfo failing', 'userinfo', { type: 'http500' } as const, 502],
    ['504 for WeChat not answering', 'access_token', { type: 'delay', ms: 1500 } as const, 504],
    [
      '502 for the multi-end exchange failing',
      'code2verifyinfo',
      { type: 'http500' } as const,
      502,
    ],
    [
      '504 for the multi-end exchange hanging',
      'code2verifyinfo',
      { type: 'delay', ms: 1500 } as const,
      504,
    ],
  ] as const)('answers %s', async (_, endpoint, fault, status) => {
    sandbox.inject(fault, { endpoint });
    try {
      const answer =
        endpoint === 'code2verifyinfo'
          ? await multiEndLogin(url, 'heidi')
          : await appLogin(url, 'heidi');
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ statusCode: status });
    } finally {
      sandbox.clearFaults();
    }
  });

  const STATE43 = 'x'.repeat(43);
  it.each([
    // Fastify refuses an empty JSON body itself, before any route.
    ['no body', '', 'application/json', adapter === 'express' ? /^code must/ : undefined],
    ['plain text', `code=abc&state=${STATE43}`, 'text/plain', /^The app login takes a body/],
    ['an array', [], 'application/json', /^The app login takes a body/],
    ['no code', { state: STATE43 }, 'application/json', /^code must/],
    ['a code that is a number', { code: 7, state: STATE43 }, 'application/json', /^code must/],
    [
      'a code that is an object',
      { code: { $gt: '' }, state: STATE43 },
      'application/json',
      /^code must/,
    ],
    ['a code with spaces', { code: 'a code', state: STATE43 }, 'application/json', /^code must/],
    ['a state that is a number', { code: 'abc', state: 42 }, 'application/json', /^state must/],
    [
      'multiEnd that is neither',
      { code: 'abc', state: STATE43, multiEnd: 'yes' },
      'application/json',
      /^multiEnd must/,
    ],
  ])('answers 400 for %s, before WeChat', async (_, body, contentType, message) => {
    const exchanged = exchanges();
    const answer = await post(`${url}/auth/wechat/app`, body, contentType);
    expect(answer.status).toBe(400);
    if (message)
      expect(answer.body).toMatchObject({
        kind: 'invalid_request',
        message: expect.stringMatching(message),
      });
    expect(exchanges()).toBe(exchanged);
  });

  it('takes a form, multiEnd as a form field too', async () => {
    const sent = openSdk('ivan', await issueState(url));
    const form = await post(
      `${url}/auth/wechat/app`,
      new URLSearchParams({ code: sent.code, state: sent.state! }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ openids: { [MOBILE]: sandbox.openidOf('ivan', MOBILE) } });
    const multiEnd = await post(
      `${url}/auth/wechat/app`,
      new URLSearchParams({
        code: identityCode('ivan'),
        state: await issueState(url),
        multiEnd: 'true',
      }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(multiEnd.status).toBe(200);
    expect(multiEnd.body.id).toBe(sandbox.unionidOf('ivan', MOBILE));
  });

  it("refreshes the app's tokens through WxTokenService once the access token expired", async () => {
    expect((await appLogin(url, 'judy')).status).toBe(200);
    const tokens = site.app.get(WxTokenService);
    const openid = sandbox.openidOf('judy', MOBILE);
    const refreshes = () => sandbox.stats.requests.refresh_token ?? 0;
    const before = refreshes();
    const first = await tokens.getAccessTokenFor(openid, MOBILE);
    keep(first);
    expect(refreshes()).toBe(before);
    await expect(tokens.checkAccessTokenFor(openid, MOBILE)).resolves.toBe(true);

    advance(7201 * 1000);
    const second = await tokens.getAccessTokenFor(openid, MOBILE);
    keep(second);
    expect(refreshes()).toBe(before + 1);
    expect(second).not.toBe(first);
    // WeChat takes the new token, for the mobile app's user.
    await expect(tokens.checkAccessTokenFor(openid, MOBILE)).resolves.toBe(true);
    await expect(tokens.getUserinfoFor(openid, { appid: MOBILE })).resolves.toMatchObject({
      openid,
      nickname: 'Judy',
    });
    expect(refreshes()).toBe(before + 1);
  });

  it(`answers 429 rate_limited for the client's state past maxPerClient (${MAX_PER_CLIENT}), and takes one again once one is spent`, async () => {
    // The states held by earlier tests expire.
    advance(STATE_TTL + 1000);
    const held: string[] = [];
    for (let i = 0; i < MAX_PER_CLIENT; i += 1) held.push(await issueState(url));
    const refused = await requestState(url);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      kind: 'rate_limited',
    });
    expect((await post(`${url}/auth/wechat/app`, openSdk('alice', held[0]))).status).toBe(200);
    expect((await requestState(url)).status).toBe(200);
    expect((await requestState(url)).status).toBe(429);
    advance(STATE_TTL + 1000);
    expect((await requestState(url)).status).toBe(200);
  });
});

describe("another tenant's state", () => {
  it('is refused before WeChat, and each tenant logs in with its own', async () => {
    const tenants = new Map<string, WxTenant>([
      ['acme', { id: 'acme', mobileApp: credentials(MOBILE) }],
      ['bolt', { id: 'bolt', mobileApp: credentials(BOLT_MOBILE) }],
    ]);
    const port = await freePort();
    await startApp(
      {
        imports: [
          WxOAuthModule.forRoot({
            tenants: {
              resolver: {
                tenantOf: ({ path }) => /^\/t\/([a-z]+)\//.exec(path)?.[1],
                load: (id) => tenants.get(id),
                tenantOfAppid: (appid) =>
                  [...tenants.values()].find((t) => t.mobileApp?.appid === appid)?.id,
              },
            },
            callbackURL: `http://127.0.0.1:${port}/auth/wechat/callback`,
            state: { secret: 'mobile-app-tenants-state-secret-0123456789' },
            apiBaseUrl: sandbox.url,
            openBaseUrl: sandbox.url,
            timeout: 1000,
          }),
        ],
        controllers: [TenantAppController],
        providers: [UsersService, AppValidator],
      },
      'express',
      new AdvancingClock(),
      port,
    );
    const url = (tenant: string) => `http://127.0.0.1:${port}/t/${tenant}`;

    const boltState = await issueState(url('bolt'));
    const { code } = openSdk('alice', undefined, MOBILE);
    const exchanged = exchanges();
    const refused = await post(`${url('acme')}/auth/wechat/app`, { code, state: boltState });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'invalid_state' });
    expect(exchanges()).toBe(exchanged);

    const acme = await post(`${url('acme')}/auth/wechat/app`, {
      code,
      state: await issueState(url('acme')),
    });
    expect(acme.status).toBe(200);
    expect(acme.body).toMatchObject({ openids: { [MOBILE]: sandbox.openidOf('alice', MOBILE) } });
    const bolt = await post(
      `${url('bolt')}/auth/wechat/app`,
      openSdk('alice', await issueState(url('bolt')), BOLT_MOBILE),
    );
    expect(bolt.status).toBe(200);
    expect(bolt.body).toMatchObject({
      id: sandbox.unionidOf('alice', BOLT_MOBILE),
      openids: { [BOLT_MOBILE]: sandbox.openidOf('alice', BOLT_MOBILE) },
    });
    expect(bolt.body.id).not.toBe(acme.body.id);
  });
});

describe('two instances sharing one Redis', () => {
  let redis: RedisServer;
  const instances: INestApplication[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    // Its instances close while Redis still answers, and before it stops.
    await Promise.all(instances.splice(0).map((app) => app.close()));
    await redis?.stop();
  });

  /** One instance, on its own connection to the shared Redis. */
  async function startInstance(adapter: 'express' | 'fastify'): Promise<string> {
    const port = await freePort();
    await startApp(
      {
        imports: [
          WxOAuthModule.forRoot({
            mobileApp: credentials(MOBILE),
            multiEndApp: credentials(DONUT),
            apiBaseUrl: sandbox.url,
            timeout: 1000,
            appState: { maxPerClient: 2 },
            store: recordingStore(new WxRedisStore({ url: redis.url })),
          }),
        ],
        controllers: [...LOGIN_CONTROLLERS, AuthController],
        providers: [UsersService, AppValidator],
      },
      adapter,
      new AdvancingClock(),
      port,
      instances,
    );
    return `http://127.0.0.1:${port}`;
  }

  it('spends on one a state issued on the other, once, and bounds a client across both', async () => {
    // The strategy of the last app built serves every app of the process: A logs in before B exists.
    const a = await startInstance('express');
    const spentOnA = await issueState(a);
    const { code: first } = openSdk('bob', spentOnA);
    expect((await post(`${a}/auth/wechat/app`, { code: first, state: spentOnA })).status).toBe(200);

    const b = await startInstance('fastify');
    // Spent on A, refused on B (its own strategy and Redis connection), before WeChat.
    const { code } = openSdk('bob');
    const exchanged = exchanges();
    const replay = await post(`${b}/auth/wechat/app`, { code, state: spentOnA });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ kind: 'invalid_state' });
    expect(exchanges()).toBe(exchanged);

    // Issued on A, spent on B.
    const issuedOnA = await issueState(a);
    const login = await post(`${b}/auth/wechat/app`, { code, state: issuedOnA });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ openids: { [MOBILE]: sandbox.openidOf('bob', MOBILE) } });
    expect(exchanges()).toBe(exchanged + 1);

    // The client's bound (2) counts the states it holds on both instances.
    const held = [await issueState(a), await issueState(b)];
    expect((await requestState(a)).status).toBe(429);
    expect((await requestState(b)).status).toBe(429);
    expect((await post(`${b}/auth/wechat/app`, openSdk('bob', held[0]))).status).toBe(200);
    expect((await requestState(a)).status).toBe(200);
  });
});

// Last, over what the whole file saw.
describe('secrets', () => {
  it('never reach a log line nor an app response', () => {
    const logs = loggers.flatMap((logger) => logger.lines).join('\n');
    // The scan saw the suite: its states, codes and tokens, the failures the apps logged, their refusals.
    expect(secrets.size).toBeGreaterThan(100);
    expect(logs).toMatch(/WeChat \/sns\/oauth2\/access_token answered HTTP 500/);
    expect(logs).toMatch(/WeChat \/donut\/code2verifyinfo did not answer in time/);
    expect(responses.filter(({ status }) => status >= 400).length).toBeGreaterThan(40);
    const leaks = [...secrets].filter(
      (secret) => logs.includes(secret) || responses.some(({ text }) => text.includes(secret)),
    );
    expect(leaks).toEqual([]);
  });
});
