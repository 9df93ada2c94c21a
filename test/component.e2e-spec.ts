import { readFile } from 'node:fs/promises';
import {
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Injectable,
  Module,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Request } from 'express';
import {
  type WxAuthInfo,
  WxAuthGuard,
  WxComponent,
  WxComponentReceiver,
  WxMiniProgramLoginRoute,
  WxOAuthModule,
  type WxOAuthStore,
  WX_OAUTH_STORE,
  type WxTenant,
  type WxTenantRequest,
  type WxTenantResolver,
  WxAppTokenService,
  WxTenants,
  WxTokenService,
} from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import { CookieJar, WxSandbox } from 'nest-wx-oauth/testing';
import { encryptedPush } from '../libs/wx-oauth/src/push/wx-push.spec-helper.js';
import type { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { RedisServer } from './support/redis-server.js';

const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI';
/** The SaaS's public host, which a proxy passes on to whichever instance serves the request. */
const HOST = 'saas.example.com';
const PUBLIC = `http://${HOST}`;
const STATE_SECRET = 'component-state-secret-0123456789abc';
const PLATFORM = 'wx0saas0platform0';
/** Two merchants' official accounts and the first merchant's mini-program. */
const SHOP_ONE = 'wx0shop0one0mp000';
const SHOP_TWO = 'wx0shop0two0mp000';
const SHOP_MINI = 'wx0shop0one0mini0';
const EVENTS_PATH = '/wechat/component/events';

/** A merchant's row in the SaaS's database: its official account, and the mini-program it added. */
interface Merchant {
  appid: string;
  refreshToken: string;
  permissions: number[];
  miniAppid?: string;
}

/** The SaaS's merchants, as its database keeps them; each merchant's id is its account's appid here. */
@Injectable()
class MerchantsService {
  readonly rows = new Map<string, Merchant>();
  /** The revocations the event endpoint was told of, in order. */
  readonly revoked: string[] = [];

  async markRevoked(appid: string): Promise<void> {
    this.revoked.push(appid);
  }

  async connect(appid: string, refreshToken: string, permissions: number[]): Promise<void> {
    // The first merchant adds its mini-program.
    if (appid === SHOP_MINI) this.rows.get(SHOP_ONE)!.miniAppid = appid;
    else this.rows.set(appid, { appid, refreshToken, permissions });
  }

  async find(id: string): Promise<Merchant | undefined> {
    return this.rows.get(id);
  }

  async idByAppid(appid: string): Promise<string | undefined> {
    for (const [id, merchant] of this.rows)
      if (merchant.appid === appid || merchant.miniAppid === appid) return id;
    return undefined;
  }
}

// The package README's platform ("A SaaS on the third-party platform"), word for word: its
// resolver, its event endpoint and its onboarding routes.

@Injectable()
export class MerchantResolver implements WxTenantResolver {
  constructor(private readonly merchants: MerchantsService) {}

  // Each merchant's users log in at /m/<merchant>/auth/wechat.
  tenantOf({ path }: WxTenantRequest): string | undefined {
    return /^\/m\/([\w-]+)\//.exec(path)?.[1];
  }

  async load(id: string): Promise<WxTenant | undefined> {
    const merchant = await this.merchants.find(id);
    if (!merchant) return undefined;
    return {
      id,
      officialAccount: {
        appid: merchant.appid,
        component: true,
        authorizerRefreshToken: merchant.refreshToken,
      },
      ...(merchant.miniAppid
        ? { miniProgram: { appid: merchant.miniAppid, component: true } }
        : {}),
    };
  }

  tenantOfAppid(appid: string): Promise<string | undefined> {
    return this.merchants.idByAppid(appid);
  }
}

@Controller('wechat/component')
export class ComponentEventsController {
  constructor(
    private readonly receiver: WxComponentReceiver,
    private readonly merchants: MerchantsService,
  ) {}

  @Post('events')
  @HttpCode(200)
  async events(@Req() req: Request): Promise<string> {
    const event = await this.receiver.receive(req);
    if (!event.duplicate && event.infoType === 'unauthorized')
      await this.merchants.markRevoked(event.authorizerAppid!);
    return 'success';
  }
}

@Controller('admin/wechat')
export class ConnectController {
  constructor(
    private readonly component: WxComponent,
    private readonly merchants: MerchantsService,
  ) {}

  @Get('connect')
  async connect(): Promise<string> {
    const { pc, mobile } = await this.component.authorizationLinks(
      'https://saas.example.com/admin/wechat/return',
    );
    // WeChat opens its page only from a page of your authorisation domain (it checks the Referer).
    return `<a href="${pc.replaceAll('&', '&amp;')}">Connect your official account</a>
      <a href="${mobile.replaceAll('&', '&amp;')}">On your phone, in WeChat</a>`;
  }

  @Get('return')
  async connected(@Query('auth_code') authCode: unknown) {
    const { authorizerAppid, authorizerRefreshToken, permissions } =
      await this.component.completeAuthorization(authCode);
    await this.merchants.connect(authorizerAppid, authorizerRefreshToken, permissions);
    return { connected: authorizerAppid };
  }
}

/** The merchants' users' logins. */
@Controller()
class LoginController {
  @Get('m/:merchant/auth/wechat')
  @UseGuards(WxAuthGuard)
  logIn(): void {}

  @Get('auth/wechat/callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request) {
    return { user: req.user, state: (req.authInfo as WxAuthInfo).state };
  }

  @Post('m/:merchant/auth/mini')
  @UseGuards(WxAuthGuard)
  @WxMiniProgramLoginRoute()
  miniProgram(@Req() req: Request) {
    return { user: req.user };
  }
}

/** The SaaS's database, shared by its instances. */
const merchants = new MerchantsService();

@Module({
  providers: [{ provide: MerchantsService, useValue: merchants }, MerchantResolver],
  exports: [MerchantsService, MerchantResolver],
})
class MerchantsModule {}

let sandbox: WxSandbox;
const loggers: CaptureLogger[] = [];
/** Every ticket WeChat minted, which no log may hold. */
const tickets = new Set<string>();

interface Instance {
  app: INestApplication;
  url: string;
}

async function startInstance(
  store?: WxOAuthStore,
  adapter: 'express' | 'fastify' = 'express',
): Promise<Instance> {
  const port = await freePort();
  const { appid, secret, token, encodingAesKey } = sandbox.component;
  const { app, logger } = await listenApp(
    port,
    {
      imports: [
        MerchantsModule,
        WxOAuthModule.forRootAsync({
          imports: [MerchantsModule],
          inject: [MerchantResolver],
          useFactory: (resolver: MerchantResolver) => ({
            tenants: { resolver },
            state: { secret: STATE_SECRET },
            callbackURL: `${PUBLIC}/auth/wechat/callback`,
            scope: 'snsapi_userinfo',
            component: { appid, secret, token, encodingAesKey },
            apiBaseUrl: sandbox.url,
            openBaseUrl: sandbox.url,
            mpBaseUrl: sandbox.url,
            timeout: 2000,
            ...(store ? { store } : {}),
          }),
        }),
      ],
      controllers: [ComponentEventsController, ConnectController, LoginController],
    },
    (app) => {
      if (adapter === 'fastify')
        // Fastify refuses a body type it has no parser for: the XML is kept as text.
        (app as NestFastifyApplication)
          .getHttpAdapter()
          .getInstance()
          .addContentTypeParser(
            ['text/xml', 'application/xml'],
            { parseAs: 'string' },
            (_req, body, done) => done(null, body),
          );
      // The proxy in front passes the public host on.
      else (app as NestExpressApplication).set('trust proxy', 'loopback');
    },
    adapter,
  );
  loggers.push(logger);
  return { app, url: `http://127.0.0.1:${port}` };
}

/** A merchant's or a user's browser, reaching the instances through the proxy at the public host. */
class Browser {
  readonly jar = new CookieJar();

  constructor(private readonly user = 'alice') {}

  async get(url: string, host = HOST): Promise<Response> {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA, 'x-forwarded-host': host, cookie: this.jar.header() },
    });
    this.jar.apply(response.headers.getSetCookie());
    return response;
  }

  /** A public URL of the SaaS, served by `instance`. */
  at(instance: Instance, publicUrl: string): Promise<Response> {
    const url = new URL(publicUrl);
    expect(url.host).toBe(HOST);
    return this.get(`${instance.url}${url.pathname}${url.search}`);
  }

  /** A merchant's user's login at `merchant`'s path: WeChat's authorize URL. */
  async start(instance: Instance, merchant: string): Promise<URL> {
    const start = await this.get(`${instance.url}/m/${merchant}/auth/wechat`);
    expect(start.status).toBe(302);
    return new URL(start.headers.get('location')!.replace(/#.*$/, ''));
  }

  /** WeChat's side, approved at once: the callback URL with the code and the merchant's appid. */
  async authorize(authorizeUrl: URL): Promise<URL> {
    sandbox.setAutoApprove(this.user);
    const approved = await fetch(authorizeUrl, {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA },
    });
    expect(approved.status).toBe(302);
    return new URL(approved.headers.get('location')!);
  }

  async callback(instance: Instance, callbackUrl: URL) {
    const response = await this.at(instance, callbackUrl.href);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  async logIn(instance: Instance, merchant: string, callbackInstance = instance) {
    const authorizeUrl = await this.start(instance, merchant);
    const callbackUrl = await this.authorize(authorizeUrl);
    return { authorizeUrl, callbackUrl, ...(await this.callback(callbackInstance, callbackUrl)) };
  }
}

/** Every line the instances logged. */
function logs(): string {
  return loggers.flatMap((logger) => logger.lines).join('\n');
}

/** Nest's warning for an error answered in JSON under a route's own non-JSON Content-Type. */
const CONTENT_TYPE_WARNING = "Content-Type doesn't match Reply body";

/** Waits until `done` holds: WeChat's pushes from a page's confirmation arrive on their own. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** WeChat pushes a new ticket to the event URL now; answered by the app. */
async function pushTicket(): Promise<void> {
  const event = await sandbox.pushComponentTicket();
  expect(event).toMatchObject({ answered: true, replyValid: true });
  tickets.add(sandbox.componentTicket()!);
}

/** The ticket the module keeps, as its store holds it. */
async function keptTicket(instance: Instance): Promise<string | undefined> {
  const json = await instance.app
    .get<WxOAuthStore>(WX_OAUTH_STORE)
    .get(`component:${PLATFORM}:ticket`);
  return json ? (JSON.parse(json) as { value: string }).value : undefined;
}

/** A merchant connects its account through the return route, as the authorisation page's confirmation sends it. */
async function connect(instance: Instance, authorizerAppid: string) {
  const { authCode, event } = await sandbox.authorizeComponent({ authorizerAppid });
  const response = await new Browser().get(
    `${instance.url}/admin/wechat/return?auth_code=${encodeURIComponent(authCode)}`,
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ connected: authorizerAppid });
  return { event };
}

beforeAll(async () => {
  sandbox = await WxSandbox.start({
    apps: [
      { appid: SHOP_ONE, kind: 'officialAccount', openPlatform: 'shop-one' },
      { appid: SHOP_TWO, kind: 'officialAccount', openPlatform: 'shop-two' },
      { appid: SHOP_MINI, kind: 'miniProgram', openPlatform: 'shop-one' },
    ],
    // Tickets on demand only: the test says when WeChat pushes.
    components: [{ appid: PLATFORM, ticketIntervalMs: 0 }],
  });
});

afterAll(async () => {
  await sandbox.close();
  const logged = logs();
  const secrets = [sandbox.component.secret, sandbox.component.encodingAesKey, ...tickets];
  for (const app of sandbox.apps) secrets.push(app.secret);
  for (const merchant of merchants.rows.values()) secrets.push(merchant.refreshToken);
  for (const secret of secrets) expect(logged).not.toContain(secret);
});

describe('a SaaS on the third-party platform, one instance', () => {
  let instance: Instance;

  beforeAll(async () => {
    instance = await startInstance();
    sandbox.setComponentEventUrl(`${instance.url}${EVENTS_PATH}`);
  });
  afterAll(async () => {
    const token = await instance.app.get(WxComponent).withComponentToken(async (t) => t);
    expect(logs()).not.toContain(token);
    await instance.app.close();
  });

  it('answers 503 before any ticket, saying what to check, and asks WeChat to push one, which it keeps', async () => {
    const response = await new Browser().get(`${instance.url}/admin/wechat/connect`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ kind: 'component_unavailable' });
    expect(text).toContain('authorisation-event URL');
    expect(text).toContain('WX_COMPONENT_TOKEN');
    expect(text).not.toContain(sandbox.component.secret);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(logs()).not.toContain(CONTENT_TYPE_WARNING);
    expect(sandbox.stats.requests.api_start_push_ticket).toBe(1);

    // WeChat pushes a ticket right after api_start_push_ticket.
    await until(async () => (await keptTicket(instance)) !== undefined, 'the ticket');
    tickets.add(sandbox.componentTicket()!);
    expect(await keptTicket(instance)).toBe(sandbox.componentTicket());
    expect((await new Browser().get(`${instance.url}/admin/wechat/connect`)).status).toBe(200);
  });

  it('keeps the newest ticket: an authorized event never overwrites it, nor an older ticket pushed late', async () => {
    const older = sandbox.componentTicket()!;
    const olderTime = sandbox
      .componentEvents()
      .filter((event) => event.infoType === 'component_verify_ticket')
      .at(-1)!.createTime;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await pushTicket();
    const newest = sandbox.componentTicket()!;
    expect(newest).not.toBe(older);
    expect(await keptTicket(instance)).toBe(newest);

    const authorized = await connect(instance, SHOP_TWO);
    expect(authorized.event).toMatchObject({ infoType: 'authorized', answered: true });
    expect(await keptTicket(instance)).toBe(newest);

    // WeChat's retry of the older push, arriving late: freshly signed, its CreateTime the older one's.
    const { token, encodingAesKey } = sandbox.component;
    const late = encryptedPush(
      token,
      encodingAesKey,
      PLATFORM,
      {
        AppId: PLATFORM,
        CreateTime: olderTime,
        InfoType: 'component_verify_ticket',
        ComponentVerifyTicket: older,
      },
      { now: () => Date.now(), sleep: async () => undefined },
    );
    const retried = await post(instance, late);
    expect(retried.status).toBe(200);
    expect(await keptTicket(instance)).toBe(newest);
  });

  it("connects a merchant's official account through WeChat's authorisation page", async () => {
    const admin = new Browser();
    const page = await admin.get(`${instance.url}/admin/wechat/connect`);
    const link = /href="([^"]+)"/.exec(await page.text())![1].replaceAll('&amp;', '&');
    expect(
      link.startsWith(`${sandbox.url}/cgi-bin/componentloginpage?component_appid=${PLATFORM}&`),
    ).toBe(true);

    // WeChat's page: the merchant picks its account and confirms.
    const wechatPage = await fetch(link, {
      headers: { referer: `${PUBLIC}/admin/wechat/connect` },
    });
    expect(wechatPage.status).toBe(200);
    const html = await wechatPage.text();
    expect(html).toContain(`id="account-${SHOP_ONE}"`);
    const form = new URLSearchParams(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
        ([, name, value]): [string, string] => [name, value.replaceAll('&amp;', '&')],
      ),
    );
    form.set('authorizer', SHOP_ONE);
    const decided = await fetch(`${sandbox.url}/sandbox/component/decide?${form}`, {
      redirect: 'manual',
    });
    expect(decided.status).toBe(302);
    const back = new URL(decided.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(`https://${HOST}/admin/wechat/return`);

    const returned = await admin.at(instance, back.href);
    expect(returned.status).toBe(200);
    expect(await returned.json()).toEqual({ connected: SHOP_ONE });
    expect(merchants.rows.get(SHOP_ONE)).toEqual({
      appid: SHOP_ONE,
      refreshToken: expect.any(String),
      permissions: [1, 2, 3, 4],
    });
    await until(
      () =>
        sandbox
          .componentEvents()
          .some((event) => event.authorizerAppid === SHOP_ONE && event.answered),
      'the authorized event',
    );
  });

  it("logs a merchant's users in on its behalf, with no secret of the merchant's anywhere", async () => {
    sandbox.resetStats();
    const login = await new Browser('alice').logIn(instance, SHOP_ONE);
    expect(login.authorizeUrl.searchParams.get('appid')).toBe(SHOP_ONE);
    expect(login.authorizeUrl.searchParams.get('component_appid')).toBe(PLATFORM);
    expect(login.callbackUrl.searchParams.get('appid')).toBe(SHOP_ONE);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      user: { appid: SHOP_ONE, openid: sandbox.openidOf('alice', SHOP_ONE), via: 'oauth' },
      state: { appid: SHOP_ONE, tenant: SHOP_ONE },
    });
    expect(sandbox.stats.requests.component_access_token).toBe(1);
    expect(sandbox.stats.requests.access_token ?? 0).toBe(0);

    // The user's token, once expired, is refreshed the platform's way.
    const { openid } = login.body.user as { openid: string };
    const store = instance.app.get<WxOAuthStore>(WX_OAUTH_STORE);
    const key = `token:${SHOP_ONE}:${openid}`;
    const saved = JSON.parse((await store.get(key))!) as { accessTokenExpiresAt: number };
    await store.set(key, JSON.stringify({ ...saved, accessTokenExpiresAt: 0 }), 60_000);
    await expect(
      instance.app.get(WxTokenService).checkAccessTokenFor(openid, SHOP_ONE),
    ).resolves.toBe(true);
    expect(sandbox.stats.requests.component_refresh_token).toBe(1);
    expect(sandbox.stats.requests.refresh_token ?? 0).toBe(0);

    const secret = sandbox.apps.find((app) => app.appid === SHOP_ONE)!.secret;
    expect(JSON.stringify(await new MerchantResolver(merchants).load(SHOP_ONE))).not.toContain(
      secret,
    );
    expect(login.authorizeUrl.href).not.toContain(secret);
  });

  it("logs a merchant's mini-program users in through /sns/component/jscode2session", async () => {
    await connect(instance, SHOP_MINI);
    instance.app.get(WxTenants).forget(SHOP_ONE);
    sandbox.resetStats();
    const response = await fetch(`${instance.url}/m/${SHOP_ONE}/auth/mini`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-host': HOST },
      body: JSON.stringify({ code: sandbox.wxLogin('bob', SHOP_MINI) }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      user: { appid: SHOP_MINI, openid: sandbox.openidOf('bob', SHOP_MINI), via: 'miniProgram' },
    });
    expect(sandbox.stats.requests.component_jscode2session).toBe(1);
    expect(sandbox.stats.requests.jscode2session ?? 0).toBe(0);
  });

  it('serves two merchants side by side, with no cross-talk', async () => {
    const one = await new Browser('alice').logIn(instance, SHOP_ONE);
    const two = await new Browser('alice').logIn(instance, SHOP_TWO);
    expect(one.body.user).toMatchObject({
      appid: SHOP_ONE,
      openid: sandbox.openidOf('alice', SHOP_ONE),
    });
    expect(two.body.user).toMatchObject({
      appid: SHOP_TWO,
      openid: sandbox.openidOf('alice', SHOP_TWO),
    });
    expect(two.body.state).toEqual({ appid: SHOP_TWO, tenant: SHOP_TWO });
    expect(one.body.user.openid).not.toBe(two.body.user.openid);

    // A callback of SHOP_TWO's (its code, its appid) brought to a login SHOP_ONE started: refused before WeChat.
    const browser = new Browser('alice');
    await browser.start(instance, SHOP_ONE);
    const state = /wx_oauth_([0-9a-f]{32})=/.exec(browser.jar.header())![1];
    const otherCallback = await new Browser('alice').authorize(
      await new Browser('alice').start(instance, SHOP_TWO),
    );
    otherCallback.searchParams.set('state', state);
    sandbox.resetStats();
    const crossed = await browser.callback(instance, otherCallback);
    expect(crossed.status).toBe(401);
    expect(crossed.body).toMatchObject({ kind: 'invalid_state' });
    expect(sandbox.stats.requests.component_access_token ?? 0).toBe(0);
  });

  it('refuses a revoked merchant with 403, tells the app, and serves it again once it authorises again', async () => {
    const appTokens = instance.app.get(WxAppTokenService);
    await appTokens.getToken(SHOP_TWO);
    await sandbox.revokeComponent(SHOP_TWO);
    await until(
      () => merchants.revoked.filter((appid) => appid === SHOP_TWO).length === 1,
      'the unauthorized event',
    );
    const refused = await new Browser('alice').get(`${instance.url}/m/${SHOP_TWO}/auth/wechat`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ kind: 'authorizer_revoked' });
    // Its merchant token, kept from before, is refused too.
    await expect(appTokens.getToken(SHOP_TWO)).rejects.toMatchObject({
      kind: 'authorizer_revoked',
    });
    // The other merchant is untouched.
    expect((await new Browser('alice').logIn(instance, SHOP_ONE)).status).toBe(200);

    await connect(instance, SHOP_TWO);
    expect((await new Browser('alice').logIn(instance, SHOP_TWO)).status).toBe(200);
  });

  it('refuses forged, stale, oversized, plain and replayed pushes, keeping the ticket', async () => {
    const kept = await keptTicket(instance);
    const { token, encodingAesKey } = sandbox.component;
    const clock = { now: () => Date.now(), sleep: async () => undefined };
    const ticket = (value: string) => ({
      AppId: PLATFORM,
      CreateTime: Math.floor(Date.now() / 1000) + 60,
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: value,
    });
    const forged = encryptedPush('notTheToken', encodingAesKey, PLATFORM, ticket('forged'), clock);
    expect((await post(instance, forged)).status).toBe(401);
    const otherKey = encryptedPush(token, 'b'.repeat(43), PLATFORM, ticket('forged'), clock);
    expect((await post(instance, otherKey)).status).toBe(401);
    const stale = encryptedPush(token, encodingAesKey, PLATFORM, ticket('stale'), clock, {
      at: Date.now() - 10 * 60_000,
    });
    expect((await post(instance, stale)).status).toBe(401);
    const big = encryptedPush(token, encodingAesKey, PLATFORM, ticket('x'.repeat(70_000)), clock);
    expect((await post(instance, big)).status).toBe(400);
    const plain = { query: forged.query, body: `<xml><AppId>${PLATFORM}</AppId></xml>` };
    expect(
      (await post(instance, { ...plain, query: { ...plain.query, encrypt_type: undefined } }))
        .status,
    ).toBe(401);

    // WeChat's own push, sent again by someone who caught it: refused, the ticket unchanged.
    const genuine = encryptedPush(token, encodingAesKey, PLATFORM, ticket(kept!), clock);
    expect((await post(instance, genuine)).status).toBe(200);
    expect((await post(instance, genuine)).status).toBe(401);
    expect(await keptTicket(instance)).toBe(kept);
    // Each refusal answered in JSON, with no Content-Type of the route's to contradict it.
    expect(logs()).not.toContain(CONTENT_TYPE_WARNING);
  });
});

describe('a SaaS on the third-party platform, on Fastify', () => {
  let instance: Instance;

  beforeAll(async () => {
    instance = await startInstance(undefined, 'fastify');
    sandbox.setComponentEventUrl(`${instance.url}${EVENTS_PATH}`);
  });
  afterAll(() => instance.app.close());

  it("keeps the pushed ticket, refuses a forged push, and logs a merchant's users in", async () => {
    await pushTicket();
    expect(await keptTicket(instance)).toBe(sandbox.componentTicket());
    const { encodingAesKey } = sandbox.component;
    const forged = encryptedPush(
      'notTheToken',
      encodingAesKey,
      PLATFORM,
      { AppId: PLATFORM, CreateTime: 1, InfoType: 'component_verify_ticket' },
      { now: () => Date.now(), sleep: async () => undefined },
    );
    expect((await post(instance, forged)).status).toBe(401);
    expect(logs()).not.toContain(CONTENT_TYPE_WARNING);

    const login = await new Browser('carol').logIn(instance, SHOP_ONE);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({
      appid: SHOP_ONE,
      openid: sandbox.openidOf('carol', SHOP_ONE),
    });
  });
});

describe('a SaaS on the third-party platform, two instances on one Redis', () => {
  let redis: RedisServer;
  const instances: Instance[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    for (let i = 0; i < 2; i++)
      instances.push(await startInstance(new WxRedisStore({ url: redis.url })));
    // WeChat pushes to one instance; the other reads the ticket from Redis.
    sandbox.setComponentEventUrl(`${instances[0].url}${EVENTS_PATH}`);
    await pushTicket();
  });
  afterAll(async () => {
    for (const { app } of instances) await app.close();
    await redis.stop();
  });

  it('fetches the platform token once for many logins across both instances', async () => {
    const before = sandbox.componentTokensIssued();
    await connect(instances[1], SHOP_ONE);
    const logins = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        new Browser(i % 2 ? 'alice' : 'bob').logIn(
          instances[i % 2],
          SHOP_ONE,
          instances[(i + 1) % 2],
        ),
      ),
    );
    expect(logins.map((login) => login.status)).toEqual(Array(10).fill(200));
    expect(sandbox.componentTokensIssued() - before).toBe(1);
  });

  it('refuses a revoked merchant on every instance at once', async () => {
    await connect(instances[0], SHOP_TWO);
    await sandbox.revokeComponent(SHOP_TWO);
    await until(
      () => merchants.revoked.filter((appid) => appid === SHOP_TWO).length === 2,
      'the second unauthorized event',
    );
    for (const instance of instances) {
      const refused = await new Browser('alice').get(`${instance.url}/m/${SHOP_TWO}/auth/wechat`);
      expect(refused.status).toBe(403);
    }
    expect((await new Browser('alice').logIn(instances[1], SHOP_ONE)).status).toBe(200);
  });
});

/** A push POSTed to the instance's event URL, as WeChat sends it. */
function post(
  instance: Instance,
  push: { query: Record<string, string | undefined>; body: string },
): Promise<Response> {
  const query = new URLSearchParams(
    Object.entries(push.query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return fetch(`${instance.url}${EVENTS_PATH}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: push.body,
  });
}

describe("the README's platform", () => {
  it('is its resolver, event endpoint and onboarding routes, word for word', async () => {
    const readme = await readFile(new URL('../libs/wx-oauth/README.md', import.meta.url), 'utf8');
    const section = /## A SaaS on the third-party platform([\s\S]*?)\n## /.exec(readme)![1];
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    const checked = blocks.filter((block) =>
      /class (MerchantResolver|ComponentEventsController|ConnectController)/.test(block),
    );
    expect(checked).toHaveLength(3);
    const spec = await readFile(new URL(import.meta.url), 'utf8');
    for (const line of checked.flatMap((block) => block.split('\n')))
      if (line.trim() && !/^(import|\/\/ src\/)/.test(line)) expect(spec).toContain(line);
  });
});
