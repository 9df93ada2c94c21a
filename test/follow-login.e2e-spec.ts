/**
 * The follow-to-log-in QR login of a site with an official account and no
 * website app, over HTTP against the sandbox: the app's message endpoint, the
 * QR code, the scan pushed by the sandbox as WeChat does (plain and safe
 * mode, with its retries), the browser logged in once, on one instance or
 * two sharing Redis.
 */
import { Controller, Get, HttpCode, type INestApplication, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { createCipheriv, createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WxAppTokenService,
  WxOAuthModule,
  type WxOAuthModuleOptions,
  WxPushReceiver,
} from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { CaptureLogger } from './support/capture-logger.js';
import { CookieJar } from 'nest-wx-oauth/testing';
import { AuthController } from './support/auth.controller.js';
import { followLoginController, type WxFollowQrCode } from './support/follow-login.controllers.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { RedisServer } from './support/redis-server.js';

const MP = 'wx5e7acc00mp000001';
const TOKEN = 'followLoginToken42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI';

let sandbox: WxSandbox;
const apps: INestApplication[] = [];
const loggers: CaptureLogger[] = [];
const seen: string[] = [];
/** How long the events route waits before answering its next push: WeChat retries past 5 s (here, the sandbox's pushTimeoutMs). */
let delayNextPush = 0;
let loginScans = 0;
/** What must never reach a log: every code's ticket, and the app tokens. */
const unlogged: string[] = [];

/** What the README has the app write: the message endpoint, answering a login scan with a text. */
@Controller('wechat/events')
class WechatEventsController {
  constructor(private readonly push: WxPushReceiver) {}

  @Get()
  check(@Query() query: Record<string, string>): string {
    return this.push.checkUrl(query);
  }

  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request): Promise<string> {
    const wait = delayNextPush;
    delayNextPush = 0;
    const message = await this.push.receive(req);
    if (message.handled) loginScans += 1;
    await sleep(wait);
    return this.push.reply(message, message.handled ? '登录成功' : undefined);
  }
}

const LoginControllers = [AuthController, followLoginController('auth/wechat/follow')];

beforeAll(async () => {
  sandbox = await WxSandbox.start({
    autoApprove: 'alice',
    pushTimeoutMs: 400,
    apps: [
      {
        appid: MP,
        kind: 'officialAccount',
        openPlatform: 'acme-open-platform',
        name: 'Acme 服务号',
      },
    ],
  });
});

afterAll(async () => {
  for (const app of apps) unlogged.push(await app.get(WxAppTokenService).getToken(MP));
  for (const text of loggers.flatMap((l) => l.lines))
    for (const value of unlogged) expect(text).not.toContain(value);
  await Promise.all(apps.map((app) => app.close()));
  for (const text of [...seen, ...loggers.flatMap((l) => l.lines)]) {
    expect(text).not.toContain(sandbox.app(MP).secret);
    expect(text).not.toContain(AES_KEY);
    expect(text).not.toContain(TOKEN);
  }
  await sandbox.close();
});

function options(url: string, extra: Partial<WxOAuthModuleOptions> = {}): WxOAuthModuleOptions {
  return {
    officialAccount: { appid: MP, secret: sandbox.app(MP).secret },
    callbackURL: `${url}/auth/wechat/callback`,
    apiBaseUrl: sandbox.url,
    openBaseUrl: sandbox.url,
    mpBaseUrl: sandbox.url,
    messagePush: { token: TOKEN },
    ...extra,
  };
}

async function listen(extra: Partial<WxOAuthModuleOptions> = {}): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { app, logger } = await listenApp(port, {
    imports: [WxOAuthModule.forRoot(options(url, extra))],
    controllers: [...LoginControllers, WechatEventsController],
  });
  apps.push(app);
  loggers.push(logger);
  return url;
}

/** A browser on the site's login page: its cookies, and the app's answers (kept for the secret check). */
class Browser {
  readonly jar = new CookieJar();

  constructor(private readonly url: string) {}

  async call(path: string, method = 'GET'): Promise<{ status: number; body: any }> {
    const cookie = this.jar.header();
    const res = await fetch(`${this.url}${path}`, {
      method,
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    this.jar.apply(res.headers.getSetCookie());
    const text = await res.text();
    seen.push(JSON.stringify([...res.headers]) + text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async showCode(): Promise<{ qr: WxFollowQrCode; ticket: string }> {
    const { status, body } = await this.call('/auth/wechat/follow', 'POST');
    expect(status).toBe(201);
    const qr = body as WxFollowQrCode;
    const ticket = new URL(qr.imageUrl).searchParams.get('ticket')!;
    unlogged.push(ticket);
    return { qr, ticket };
  }

  async status(): Promise<string> {
    return (await this.call('/auth/wechat/follow/status')).body.status;
  }

  done(): Promise<{ status: number; body: any }> {
    return this.call('/auth/wechat/follow/done');
  }
}

/** A push as WeChat sends it, signed with `token` (and encrypted with `aesKey`), for the tests that forge one. */
async function push(
  url: string,
  xml: string,
  { token = TOKEN, timestamp = Math.floor(Date.now() / 1000), nonce = String(Math.random()) } = {},
): Promise<{ status: number; text: string }> {
  const signature = sha1([token, String(timestamp), nonce]);
  const res = await fetch(
    `${url}/wechat/events?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
    { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: xml },
  );
  const text = await res.text();
  seen.push(text);
  return { status: res.status, text };
}

function sha1(parts: string[]): string {
  return createHash('sha1').update(parts.sort().join('')).digest('hex');
}

function scanXml(openid: string, scene: string, ticket: string, createTime: number): string {
  return (
    `<xml><ToUserName><![CDATA[${sandbox.app(MP).originalId}]]></ToUserName>` +
    `<FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime>` +
    `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event>` +
    `<EventKey><![CDATA[${scene}]]></EventKey><Ticket><![CDATA[${ticket}]]></Ticket></xml>`
  );
}

describe('the follow login, plain mode', () => {
  let url: string;

  beforeAll(async () => {
    url = await listen();
    sandbox.setMessagePush(MP, { url: `${url}/wechat/events`, token: TOKEN });
  });

  it("answers the console's URL check", async () => {
    expect(await sandbox.checkPushUrl(MP)).toBe(true);
    const forged = await fetch(
      `${url}/wechat/events?signature=${'0'.repeat(40)}&timestamp=1&nonce=2&echostr=x`,
    );
    expect(forged.status).toBe(401);
  });

  it('logs a new follower in on the page that showed the code, once', async () => {
    sandbox.setFollowing('alice', MP, false);
    const browser = new Browser(url);
    const { qr, ticket } = await browser.showCode();
    expect(qr.expiresIn).toBe(300);
    expect(await browser.status()).toBe('pending');

    const scan = await sandbox.scan(ticket, 'alice');
    expect(scan.event).toBe('subscribe');
    expect(scan.eventKey).toMatch(/^qrscene_wxlogin_/);
    expect(scan.reply).toEqual({ msgType: 'text', content: '登录成功' });
    expect(scan.replyValid).toBe(true);

    expect(await browser.status()).toBe('scanned');
    const done = await browser.done();
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      provider: 'wechat',
      via: 'follow',
      appid: MP,
      openid: sandbox.openidOf('alice', MP),
      unionid: sandbox.unionidOf('alice', MP),
    });
    expect((await browser.done()).status).toBe(401);
    expect(await browser.status()).toBe('expired');
  });

  it('logs an existing follower in (SCAN, no prefix), the same openid as the OAuth login inside WeChat', async () => {
    sandbox.setFollowing('alice', MP, true);
    const browser = new Browser(url);
    const { ticket } = await browser.showCode();
    const scan = await sandbox.scan(ticket, 'alice');
    expect(scan.event).toBe('SCAN');
    const done = await browser.done();
    expect(done.status).toBe(200);

    const start = await fetch(`${url}/auth/wechat`, {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA },
    });
    const jar = new CookieJar();
    jar.apply(start.headers.getSetCookie());
    const authorize = await fetch(start.headers.get('location')!.replace(/#.*$/, ''), {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA },
    });
    const callback = new URL(authorize.headers.get('location')!);
    const oauth = await fetch(`${url}${callback.pathname}${callback.search}`, {
      headers: { cookie: jar.header() },
    });
    const profile = (await oauth.json()) as { via: string; openid: string };
    expect(profile.via).toBe('oauth');
    expect(profile.openid).toBe(done.body.openid);
  });

  it("logs nobody in from another browser, or from a code's ticket shown to someone else", async () => {
    const browser = new Browser(url);
    const { ticket } = await browser.showCode();
    await sandbox.scan(ticket, 'alice');
    const other = new Browser(url);
    expect(await other.status()).toBe('expired');
    expect((await other.done()).status).toBe(401);
    // Another browser's own code does not take the first one's scan.
    await other.showCode();
    expect(await other.status()).toBe('pending');
    expect((await other.done()).status).toBe(401);
    expect((await browser.done()).status).toBe(200);
  });

  it('refuses a forged, unsigned, stale or replayed push with 4xx, and logs nobody in', async () => {
    const browser = new Browser(url);
    const { qr, ticket } = await browser.showCode();
    const scene = new URL(qr.url).pathname; // the scene is not in any URL: a forger must guess it
    expect(scene).not.toContain('wxlogin_');
    const openid = sandbox.openidOf('bob', MP);
    const xml = scanXml(openid, 'wxlogin_guessed', ticket, Math.floor(Date.now() / 1000));

    expect((await push(url, xml, { token: 'not-the-token' })).status).toBe(401);
    const unsigned = await fetch(`${url}/wechat/events`, { method: 'POST', body: xml });
    expect(unsigned.status).toBe(401);
    const stale = await push(url, xml, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    expect(stale.text).toContain('stale');
    const once = { nonce: 'replayed-nonce', timestamp: Math.floor(Date.now() / 1000) };
    expect((await push(url, xml, once)).status).toBe(200);
    const replay = await push(url, xml, once);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('replayed');
    expect((await push(url, '<xml><a>', {})).status).toBe(400);
    expect((await push(url, 'x'.repeat(70_000), {})).status).toBe(400);

    expect(await browser.status()).toBe('pending');
  });

  it("absorbs WeChat's retries: the same scan logs in once", async () => {
    const browser = new Browser(url);
    const { ticket } = await browser.showCode();
    const before = loginScans;
    delayNextPush = 800; // past the sandbox's pushTimeoutMs: WeChat retries
    const scan = await sandbox.scan(ticket, 'alice');
    expect(scan.attempts.map((a) => a.status)).toEqual(['timeout', 200]);
    expect(scan.replyBody).toBe('success');
    await sleep(800);
    expect(loginScans - before).toBe(1);
    expect((await browser.done()).status).toBe(200);
    expect((await browser.done()).status).toBe(401);
  });

  it('fetches one app token for many QR codes', async () => {
    const before = sandbox.appTokensIssued(MP);
    await Promise.all([1, 2, 3, 4].map(() => new Browser(url).showCode()));
    expect(sandbox.appTokensIssued(MP)).toBe(before);
    expect(before).toBeLessThanOrEqual(1);
    const tokens = apps[0].get(WxAppTokenService);
    expect(await tokens.getToken(MP)).toBe(await tokens.getToken(MP));
  });
});

describe('the app token failing', () => {
  afterEach(() => sandbox.clearFaults());

  it.each([
    [40164, 502, 'IP allow-list'],
    [45009, 502, 'daily quota'],
    [-1, 502, 'system error'],
  ])(
    'answers WeChat %i on the QR code route with %i, saying what to do',
    async (errcode, status, says) => {
      const url = await listen();
      sandbox.inject({ type: 'errcode', errcode }, { endpoint: 'stable_token', times: 2 });
      const res = await new Browser(url).call('/auth/wechat/follow', 'POST');
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ errcode });
      expect(res.body.message).toContain(says);
    },
  );
});

describe('the follow login, safe mode', () => {
  let url: string;

  beforeAll(async () => {
    url = await listen({ messagePush: { token: TOKEN, encodingAesKey: AES_KEY } });
    sandbox.setMessagePush(MP, {
      url: `${url}/wechat/events`,
      token: TOKEN,
      encodingAesKey: AES_KEY,
    });
  });

  it('logs a new follower in from an encrypted push, and answers encrypted', async () => {
    sandbox.setFollowing('bob', MP, false);
    const browser = new Browser(url);
    const { ticket } = await browser.showCode();
    const scan = await sandbox.scan(ticket, 'bob');
    expect(scan.event).toBe('subscribe');
    expect(scan.replyValid).toBe(true);
    expect(scan.reply).toEqual({ msgType: 'text', content: '登录成功' });
    const done = await browser.done();
    expect(done.body).toMatchObject({ via: 'follow', openid: sandbox.openidOf('bob', MP) });
  });

  it('refuses a plain push, and one encrypted for another app', async () => {
    const xml = scanXml(
      sandbox.openidOf('bob', MP),
      'wxlogin_x',
      't',
      Math.floor(Date.now() / 1000),
    );
    expect((await push(url, xml)).status).toBe(401);

    const key = Buffer.from(`${AES_KEY}=`, 'base64');
    const body = Buffer.from(xml);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const content = Buffer.concat([
      Buffer.alloc(16),
      length,
      body,
      Buffer.from('wx_another_app_0'),
    ]);
    const pad = 32 - (content.length % 32);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const sealed = Buffer.concat([
      cipher.update(Buffer.concat([content, Buffer.alloc(pad, pad)])),
      cipher.final(),
    ]).toString('base64');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'n1';
    const query = new URLSearchParams({
      signature: sha1([TOKEN, timestamp, nonce]),
      msg_signature: sha1([TOKEN, timestamp, nonce, sealed]),
      timestamp,
      nonce,
      encrypt_type: 'aes',
    });
    const res = await fetch(`${url}/wechat/events?${query}`, {
      method: 'POST',
      body: `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt></xml>`,
    });
    expect(res.status).toBe(401);
  });
});

describe('a site with the follow login only', () => {
  it('starts with no OAuth2 callback route: the follow login never goes through it', async () => {
    const port = await freePort();
    const { app, logger } = await listenApp(port, {
      imports: [WxOAuthModule.forRoot(options(`http://127.0.0.1:${port}`))],
      controllers: [followLoginController('login/wechat'), WechatEventsController],
    });
    apps.push(app);
    loggers.push(logger);
    const res = await fetch(`http://127.0.0.1:${port}/login/wechat`, { method: 'POST' });
    expect(res.status).toBe(201);
  });
});

describe('the follow login on Fastify', () => {
  it('takes the push as the README says, and logs the scanner in', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const moduleRef = await Test.createTestingModule({
      imports: [WxOAuthModule.forRoot(options(url))],
      controllers: [...LoginControllers, WechatEventsController],
    }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    apps.push(app);
    app
      .getHttpAdapter()
      .getInstance()
      .addContentTypeParser(
        ['text/xml', 'application/xml'],
        { parseAs: 'string' },
        (_req, body, done) => done(null, body),
      );
    await app.listen(port, '127.0.0.1');
    sandbox.setMessagePush(MP, { url: `${url}/wechat/events`, token: TOKEN });

    expect(await sandbox.checkPushUrl(MP)).toBe(true);
    const browser = new Browser(url);
    const { ticket } = await browser.showCode();
    const scan = await sandbox.scan(ticket, 'alice');
    expect(scan.reply).toEqual({ msgType: 'text', content: '登录成功' });
    const done = await browser.done();
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ via: 'follow', openid: sandbox.openidOf('alice', MP) });
  });
});

describe('the follow login on two instances sharing Redis', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis.stop();
  });

  it('shows the code on one instance, takes the push on the other, logs in on the first', async () => {
    const prefix = `follow${Date.now()}:`;
    const store = () => new WxRedisStore({ url: redis.url, prefix });
    const shown = await listen({
      store: store(),
      state: { secret: 'shared-state-secret-0123456789' },
    });
    const pushed = await listen({
      store: store(),
      state: { secret: 'shared-state-secret-0123456789' },
    });
    sandbox.setMessagePush(MP, { url: `${pushed}/wechat/events`, token: TOKEN });

    const browser = new Browser(shown);
    const { ticket } = await browser.showCode();
    await new Browser(pushed).showCode();
    const scan = await sandbox.scan(ticket, 'alice');
    expect(scan.answered).toBe(true);
    expect(await browser.status()).toBe('scanned');
    const done = await browser.done();
    expect(done.body).toMatchObject({ via: 'follow', openid: sandbox.openidOf('alice', MP) });
  });
});
