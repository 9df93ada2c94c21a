/**
 * The mini-program login beside the web logins, over HTTP against the sandbox,
 * on Express and Fastify: `wx.login()`'s code posted to the app, the same
 * person as on the web by unionid (whichever they used first), each app's
 * openid, the phone number through the mini-program's app token, every
 * WeChat error at its status, and the session_key kept on the server only.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Injectable,
  Post,
} from '@nestjs/common';
import {
  WxMemoryStore,
  WxMiniProgramSessions,
  WxOAuthError,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  WxWeChatProfile,
  WxValidator,
} from 'nest-wx-oauth';
import { createHash } from 'node:crypto';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import type { CaptureLogger } from './support/capture-logger.js';
import {
  AuthController as LoginController,
  MiniProgramLoginController,
} from './support/auth.controller.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';

const MP = 'wx0acme0official01';
const WEB = 'wx0acme0website001';
const MINI = 'wx0acme0miniprog01';
/** A mini-program bound to no Open Platform account: WeChat sends it no unionid. */
const LONE_MINI = 'wx0lone0miniprog01';

interface AppUser {
  id: string;
  unionid?: string;
  phoneNumber?: string;
  openids: Record<string, string>;
}

/** The app's users, as the README has it: keyed by unionid, each app's openid beside it. */
@Injectable()
class UsersService {
  readonly byId = new Map<string, AppUser>();
  /** The last profile as the validator was given it, for the scan for secrets. */
  lastProfile?: WxWeChatProfile;

  link(profile: WxWeChatProfile): AppUser {
    this.lastProfile = profile;
    const id = profile.unionid ?? `${profile.appid}:${profile.openid}`;
    const user = this.byId.get(id) ?? { id, openids: {} };
    if (profile.unionid) user.unionid = profile.unionid;
    if (profile.via === 'miniProgram' && profile.phoneNumber)
      user.phoneNumber = profile.phoneNumber;
    user.openids[profile.appid] = profile.openid;
    this.byId.set(id, user);
    return user;
  }
}

/** The app's own validator, for the web logins as for the mini-program's: its service injected. */
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
    private readonly sessions: WxMiniProgramSessions,
    private readonly users: UsersService,
  ) {}

  @Get('last-profile')
  lastProfile(): unknown {
    return this.users.lastProfile;
  }

  @Post('mini/signed')
  @HttpCode(200)
  async signed(
    @Body() body: { openid: string; rawData: string; signature: string },
  ): Promise<unknown> {
    return {
      signed: await this.sessions.verifySignature(body.openid, body.rawData, body.signature),
    };
  }

  /** What a mini-program sends later, checked with the session_key the server kept. */
  @Post('mini/data')
  @HttpCode(200)
  async data(
    @Body()
    body: {
      openid: string;
      rawData: string;
      signature: string;
      encryptedData: string;
      iv: string;
    },
  ): Promise<unknown> {
    return {
      signed: await this.sessions.verifySignature(body.openid, body.rawData, body.signature),
      data: await this.sessions.decrypt(body.openid, body.encryptedData, body.iv),
    };
  }
}

/** A store that can be made to fail, as Redis does when it is down. */
class FlakyStore extends WxMemoryStore {
  down = false;

  override async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.down) throw new WxOAuthError('store_unavailable', 'Store: down');
    return super.set(key, value, ttlMs);
  }
}

let sandbox: WxSandbox;
/** Every session_key the sandbox gave, and the secrets: none may reach a response or a log. */
const secrets: string[] = [];
const responses: string[] = [];
const loggers: CaptureLogger[] = [];
const apps: INestApplication[] = [];

beforeAll(async () => {
  sandbox = await WxSandbox.start({
    autoApprove: 'alice',
    apps: [
      { appid: MP, kind: 'officialAccount', openPlatform: 'acme' },
      { appid: WEB, kind: 'website', openPlatform: 'acme' },
      { appid: MINI, kind: 'miniProgram', openPlatform: 'acme' },
      { appid: LONE_MINI, kind: 'miniProgram' },
    ],
  });
  secrets.push(...sandbox.apps.map((app) => app.secret));
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await sandbox.close();
  const logs = loggers.flatMap((logger) => logger.lines).join('\n');
  for (const secret of secrets) {
    expect(logs).not.toContain(secret);
    for (const body of responses) expect(body).not.toContain(secret);
  }
});

function appOptions(miniProgram: string, store: WxMemoryStore): WxOAuthModuleOptions {
  const app = (appid: string) => ({ appid, secret: sandbox.app(appid).secret });
  return {
    officialAccount: app(MP),
    website: app(WEB),
    miniProgram: app(miniProgram),
    callbackURL: 'http://127.0.0.1/auth/wechat/callback',
    scope: 'snsapi_userinfo',
    apiBaseUrl: sandbox.url,
    openBaseUrl: sandbox.url,
    timeout: 1000,
    store,
  };
}

async function startApp(
  adapter: 'express' | 'fastify',
  miniProgram = MINI,
  more: Partial<WxOAuthModuleOptions> = {},
): Promise<{ url: string; users: UsersService; store: FlakyStore }> {
  const port = await freePort();
  const store = new FlakyStore();
  const options = { ...appOptions(miniProgram, store), ...more };
  options.callbackURL = `http://127.0.0.1:${port}/auth/wechat/callback`;
  const { app, logger } = await listenApp(
    port,
    {
      imports: [WxOAuthModule.forRoot(options)],
      controllers: [...LOGIN_CONTROLLERS, AuthController],
      providers: [UsersService, AppValidator],
    },
    undefined,
    adapter,
  );
  apps.push(app);
  loggers.push(logger);
  return { url: `http://127.0.0.1:${port}`, users: app.get(UsersService), store };
}

/** What the mini-program does: POSTs its codes as JSON. */
async function post(url: string, body: unknown, contentType = 'application/json') {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  responses.push(text);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

function miniLogin(url: string, user: string, phone = false, appid = MINI) {
  const code = sandbox.wxLogin(user, appid);
  const body = phone ? { code, phoneCode: sandbox.phoneCode(user, appid) } : { code };
  return post(`${url}/auth/wechat/miniprogram`, body).finally(async () => {
    const key = sandbox.sessionKeyOf(user, appid);
    if (key) secrets.push(key);
    responses.push(await (await fetch(`${url}/last-profile`)).text());
  });
}

describe.each(['express', 'fastify'] as const)('the mini-program login on %s', (adapter) => {
  let url: string;
  let users: UsersService;
  let store: FlakyStore;

  beforeAll(async () => {
    ({ url, users, store } = await startApp(adapter));
  });

  it('is the same person as the web login, by unionid, whichever came first', async () => {
    // bob: the mini-program first, then the official account inside WeChat.
    const mini = await miniLogin(url, 'bob');
    expect(mini.status).toBe(200);
    sandbox.setAutoApprove('bob');
    const web = await loginThroughSandbox<AppUser>(url, {
      sandbox,
      userAgent: 'MicroMessenger/8.0',
    });
    expect(web.status).toBe(200);
    const unionid = sandbox.unionidOf('bob', MINI)!;
    expect(unionid).toBe(sandbox.unionidOf('bob', MP));
    expect(web.body).toEqual({
      id: unionid,
      unionid,
      openids: { [MINI]: sandbox.openidOf('bob', MINI), [MP]: sandbox.openidOf('bob', MP) },
    });
    expect(sandbox.openidOf('bob', MINI)).not.toBe(sandbox.openidOf('bob', MP));

    // alice: the website QR login first, then the mini-program.
    sandbox.setAutoApprove('alice');
    await loginThroughSandbox(url, { sandbox });
    const later = await miniLogin(url, 'alice');
    expect(later.body).toMatchObject({
      id: sandbox.unionidOf('alice', WEB),
      openids: { [WEB]: sandbox.openidOf('alice', WEB), [MINI]: sandbox.openidOf('alice', MINI) },
    });
    expect(users.byId.size).toBe(2);
  });

  it('brings the phone number through the app token, one token for many logins', async () => {
    const before = sandbox.stats.requests.stable_token ?? 0;
    for (const user of ['alice', 'bob', 'carol']) {
      const { status, body } = await miniLogin(url, user, true);
      expect(status).toBe(200);
      expect(body.phoneNumber).toMatch(/^1\d{10}$/);
    }
    // This app's first phone numbers: one token fetched for all three.
    expect((sandbox.stats.requests.stable_token ?? 0) - before).toBe(1);
  });

  it('keeps the session_key on the server, for the data the mini-program sends later', async () => {
    const { body: user } = await miniLogin(url, 'carol');
    const openid = sandbox.openidOf('carol', MINI);
    expect((user.openids as Record<string, string>)[MINI]).toBe(openid);
    const rawData = JSON.stringify({ nickName: 'Carol' });
    const { encryptedData, iv } = sandbox.encryptUserData('carol', MINI, { openGId: 'group-1' });
    const checked = await post(`${url}/mini/data`, {
      openid,
      rawData,
      signature: sandbox.signUserData('carol', MINI, rawData),
      encryptedData,
      iv,
    });
    expect(checked.body).toMatchObject({ signed: true, data: { openGId: 'group-1' } });

    // The next login replaces the key on both sides: data made under the old one is refused, 401.
    const stale = sandbox.encryptUserData('carol', MINI, { openGId: 'group-1' });
    await miniLogin(url, 'carol');
    const refused = await post(`${url}/mini/data`, {
      openid,
      rawData,
      signature: sandbox.signUserData('carol', MINI, rawData),
      ...stale,
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'invalid_session' });
  });

  it.each([
    ['an unknown code: 401', () => ({ code: 'not-a-code' }), 401, 40029],
    [
      'a code of another mini-program',
      () => ({ code: sandbox.wxLogin('alice', LONE_MINI) }),
      401,
      40029,
    ],
    [
      'a bad phone code: 401',
      () => ({ code: sandbox.wxLogin('alice', MINI), phoneCode: 'not-a-phone-code' }),
      401,
      40029,
    ],
  ])('refuses %s', async (_, body, status, errcode) => {
    const answer = await post(`${url}/auth/wechat/miniprogram`, body());
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ errcode });
  });

  it("keeps the user's earlier session_key when the phone code of a new login is refused", async () => {
    await miniLogin(url, 'bob');
    const kept = sandbox.sessionKeyOf('bob', MINI)!;
    const refused = await post(`${url}/auth/wechat/miniprogram`, {
      code: sandbox.wxLogin('bob', MINI),
      phoneCode: 'not-a-phone-code',
    });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/^phoneCode refused: /);
    secrets.push(sandbox.sessionKeyOf('bob', MINI)!);
    const rawData = '{"nickName":"Bob"}';
    const { encryptedData, iv } = sandbox.encryptUserData('bob', MINI, { a: 1 });
    const checked = await post(`${url}/mini/data`, {
      openid: sandbox.openidOf('bob', MINI),
      rawData,
      signature: createHash('sha1')
        .update(rawData + kept)
        .digest('hex'),
      encryptedData,
      iv,
    });
    // Signed under the kept key; the data under the refused login's key no longer decrypts.
    expect(checked.status).toBe(401);
    const signedOnly = await post(`${url}/mini/signed`, {
      openid: sandbox.openidOf('bob', MINI),
      rawData,
      signature: createHash('sha1')
        .update(rawData + kept)
        .digest('hex'),
    });
    expect(signedOnly.body).toEqual({ signed: true });
  });

  it('refuses a replayed code (40163), with no second user', async () => {
    const code = sandbox.wxLogin('alice', MINI);
    expect((await post(`${url}/auth/wechat/miniprogram`, { code })).status).toBe(200);
    const replay = await post(`${url}/auth/wechat/miniprogram`, { code });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ kind: 'invalid_code', errcode: 40163 });
  });

  it("answers 403 for WeChat's high-risk user (40226)", async () => {
    sandbox.setHighRisk('bob', true);
    try {
      const answer = await miniLogin(url, 'bob');
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ kind: 'user_blocked', errcode: 40226 });
    } finally {
      sandbox.setHighRisk('bob', false);
    }
  });

  it('takes a form too, as wx.request sends one with that content type', async () => {
    const code = sandbox.wxLogin('alice', MINI);
    const answer = await post(
      `${url}/auth/wechat/miniprogram`,
      `code=${code}`,
      'application/x-www-form-urlencoded',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ openids: { [MINI]: sandbox.openidOf('alice', MINI) } });
  });

  it.each([
    ['no body', undefined, 'application/json'],
    ['plain text', 'code=abc', 'text/plain'],
    ['no code', {}, 'application/json'],
    ['a code that is an object', { code: { $gt: '' } }, 'application/json'],
  ])('answers 400 for %s, before WeChat', async (_, body, contentType) => {
    const before = sandbox.stats.requests.jscode2session ?? 0;
    const answer = await post(`${url}/auth/wechat/miniprogram`, body ?? '', contentType);
    expect(answer.status).toBe(400);
    expect(sandbox.stats.requests.jscode2session ?? 0).toBe(before);
  });

  it.each([
    ['502 for WeChat rate-limiting (45011)', { type: 'errcode', errcode: 45011 } as const, 502],
    ['502 for WeChat busy (-1)', { type: 'errcode', errcode: -1 } as const, 502],
    ['502 for WeChat failing (HTTP 500)', { type: 'http500' } as const, 502],
    ['504 for WeChat not answering', { type: 'delay', ms: 1500 } as const, 504],
  ])('answers %s', async (_, fault, status) => {
    sandbox.inject(fault, { endpoint: 'jscode2session' });
    const answer = await miniLogin(url, 'alice');
    expect(answer.status).toBe(status);
  });

  it("answers 502 when the phone number's call fails, and 503 when the store does", async () => {
    sandbox.inject({ type: 'http500' }, { endpoint: 'getuserphonenumber' });
    expect((await miniLogin(url, 'alice', true)).status).toBe(502);
    store.down = true;
    try {
      expect((await miniLogin(url, 'alice')).status).toBe(503);
    } finally {
      store.down = false;
    }
  });
});

describe('a mini-program bound to no Open Platform account', () => {
  it('gives a user of its own, with no unionid', async () => {
    const { url, users } = await startApp('express', LONE_MINI);
    sandbox.setAutoApprove('alice');
    await loginThroughSandbox(url, { sandbox, userAgent: 'MicroMessenger/8.0' });
    const mini = await miniLogin(url, 'alice', false, LONE_MINI);
    expect(mini.status).toBe(200);
    expect(mini.body).toEqual({
      id: `${LONE_MINI}:${sandbox.openidOf('alice', LONE_MINI)}`,
      openids: { [LONE_MINI]: sandbox.openidOf('alice', LONE_MINI) },
    });
    expect(sandbox.unionidOf('alice', LONE_MINI)).toBeUndefined();
    expect(users.byId.size).toBe(2);
  });
});

describe('a mini-program login in an app whose browser logins redirect', () => {
  it("answers the handler's JSON, and its failures as JSON, never a redirect", async () => {
    const { url } = await startApp('express', MINI, {
      successRedirect: '/home',
      failureRedirect: '/login-failed',
    });
    const ok = await miniLogin(url, 'alice');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ openids: { [MINI]: sandbox.openidOf('alice', MINI) } });
    const refused = await post(`${url}/auth/wechat/miniprogram`, { code: 'unknown' });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'invalid_code' });
  });
});

describe('a mini-program alone, with no web app', () => {
  it('starts with no callbackURL, logs its users in, and answers a browser login 400', async () => {
    const port = await freePort();
    const { app, logger } = await listenApp(port, {
      imports: [
        WxOAuthModule.forRoot({
          miniProgram: { appid: MINI, secret: sandbox.app(MINI).secret },
          apiBaseUrl: sandbox.url,
        }),
      ],
      controllers: [...LOGIN_CONTROLLERS, AuthController],
      providers: [UsersService],
    });
    apps.push(app);
    loggers.push(logger);
    const url = `http://127.0.0.1:${port}`;
    const login = await miniLogin(url, 'alice', true);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      via: 'miniProgram',
      openid: sandbox.openidOf('alice', MINI),
      phoneNumber: '13800138000',
    });
    const browser = await fetch(`${url}/auth/wechat`, { redirect: 'manual' });
    expect(browser.status).toBe(400);
    expect(await browser.json()).toMatchObject({ kind: 'flow_unavailable' });
  });
});
