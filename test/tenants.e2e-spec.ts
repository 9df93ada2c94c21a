import { readFile } from 'node:fs/promises';
import type { NestExpressApplication } from '@nestjs/platform-express';
/**
 * Many tenants' WeChat apps in one deployment, over HTTP against the sandbox:
 * each tenant's login with its own appid and secret, two tenants sharing one
 * callback domain (chosen by path prefix) beside one on its own host, tenants
 * added, removed and re-keyed while the app runs, a state of one tenant never
 * spending a code of another's, two instances sharing Redis, and the README's
 * shops by host on a development port, logged in through loginThroughSandbox.
 */
import {
  Controller,
  ForbiddenException,
  Get,
  type INestApplication,
  Injectable,
  Module,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import {
  type WxAppCredentials,
  type WxAuthInfo,
  WxAuthGuard,
  WxOAuthModule,
  type WxOAuthStore,
  WxQrLogin,
  type WxProfile,
  WxWeChatProfile,
  type WxTenant,
  type WxTenantResolver,
  WxTenants,
  WxTokenService,
  type WxTenantRequest,
  WxUser,
} from 'nest-wx-oauth';
import { WxRedisStore } from 'nest-wx-oauth/redis';
import { CookieJar, loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import request from 'supertest';
import type { CaptureLogger } from './support/capture-logger.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';
import { RedisServer } from './support/redis-server.js';

const WECHAT_UA = 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI';
/** acme and bolt log in on one shared domain, told apart by path; cora on its own host. */
const SHARED = 'login.example.test';
const SHARED_CALLBACK = `http://${SHARED}/auth/wechat/callback`;
const CORA_HOST = 'cora.example.test';
const STATE_SECRET = 'tenants-state-secret-0123456789abcdef';

/** What the resolver is asked about a request. */
/** What the embedded QR login's page is given. */
type WxLoginSettings = Awaited<ReturnType<WxQrLogin['settings']>>;

/** The app's own tenant storage, as a repository would be: a Nest provider the module's resolver is. */
@Injectable()
class TenantDirectory implements WxTenantResolver {
  readonly tenants = new Map<string, WxTenant>();
  readonly hosts = new Map<string, string>();
  loads = 0;
  failing = false;

  tenantOf({ host, path }: WxTenantRequest): string | undefined {
    return /^\/t\/([a-z]+)\//.exec(path)?.[1] ?? this.hosts.get(host);
  }

  async load(id: string): Promise<WxTenant | undefined> {
    this.loads += 1;
    if (this.failing) throw new Error('connect ECONNREFUSED tenants-db:5432');
    const tenant = this.tenants.get(id);
    return tenant && structuredClone(tenant);
  }

  tenantOfAppid(appid: string): string | undefined {
    for (const tenant of this.tenants.values())
      if (tenant.officialAccount?.appid === appid || tenant.website?.appid === appid)
        return tenant.id;
    return undefined;
  }
}

@Module({ providers: [TenantDirectory], exports: [TenantDirectory] })
class TenantsModule {}

@Controller()
class LoginController {
  constructor(private readonly qrLogin: WxQrLogin) {}

  @Get('t/:tenant/auth/wechat')
  @UseGuards(WxAuthGuard)
  byPath(): void {}

  @Get('auth/wechat')
  @UseGuards(WxAuthGuard)
  byHost(): void {}

  @Get('auth/wechat/callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request): unknown {
    return { user: req.user, state: (req.authInfo as WxAuthInfo).state };
  }

  /** The embedded QR login's settings, for the tenant's website app. */
  @Get('t/:tenant/login/qr')
  qr(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<WxLoginSettings> {
    return this.qrLogin.settings(req, res);
  }
}

let sandbox: WxSandbox;
const loggers: CaptureLogger[] = [];

/** One tenant with an official account of its own in the sandbox. */
function seedTenant(directory: TenantDirectory, id: string, callbackURL?: string): WxTenant {
  const appid = `wx0${id}0official`;
  const app =
    sandbox.apps.find((a) => a.appid === appid) ??
    sandbox.addApp({ appid, kind: 'officialAccount', openPlatform: id });
  const tenant: WxTenant = {
    id,
    officialAccount: { appid, secret: app.secret },
    ...(callbackURL ? { callbackURL } : {}),
  };
  directory.tenants.set(id, tenant);
  return tenant;
}

async function startInstance(
  store?: WxOAuthStore,
  trustProxy = true,
): Promise<{ app: INestApplication; url: string; directory: TenantDirectory }> {
  const port = await freePort();
  const { app, logger } = await listenApp(
    port,
    {
      imports: [
        TenantsModule,
        WxOAuthModule.forRootAsync({
          imports: [TenantsModule],
          inject: [TenantDirectory],
          useFactory: (directory: TenantDirectory) => ({
            tenants: { resolver: directory },
            callbackURL: SHARED_CALLBACK,
            state: { secret: STATE_SECRET },
            scope: 'snsapi_userinfo',
            apiBaseUrl: sandbox.url,
            openBaseUrl: sandbox.url,
            timeout: 1000,
            ...(store ? { store } : {}),
          }),
        }),
      ],
      controllers: [LoginController],
    },
    // The proxy in front passes the public host as X-Forwarded-Host: a host tenant needs the app to trust it.
    (app) => {
      if (trustProxy) (app as NestExpressApplication).set('trust proxy', 'loopback');
    },
  );
  loggers.push(logger);
  const directory = app.get(TenantDirectory);
  seedTenant(directory, 'acme');
  seedTenant(directory, 'bolt');
  seedTenant(directory, 'cora', `http://${CORA_HOST}/auth/wechat/callback`);
  directory.hosts.set(CORA_HOST, 'cora');
  return { app, url: `http://127.0.0.1:${port}`, directory };
}

/** A browser (in WeChat) behind a proxy that passes the public host on. */
class Browser {
  readonly jar = new CookieJar();

  constructor(private readonly user: string) {}

  /** GET on `url` (an instance) as if at `host`. */
  async get(url: string, host: string) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA, 'x-forwarded-host': host, cookie: this.jar.header() },
    });
    this.jar.apply(response.headers.getSetCookie());
    return response;
  }

  /** The login's start at `host` + `path`: WeChat's authorize URL it sends the browser to. */
  async start(instance: string, host: string, path: string): Promise<URL> {
    const start = await this.get(`${instance}${path}`, host);
    expect(start.status).toBe(302);
    return new URL(start.headers.get('location')!.replace(/#.*$/, ''));
  }

  /** WeChat's side, approved at once: the callback URL with the code. */
  async authorize(authorizeUrl: URL): Promise<URL> {
    sandbox.setAutoApprove(this.user);
    const approved = await fetch(authorizeUrl, {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA },
    });
    return new URL(approved.headers.get('location')!);
  }

  /** The callback, reaching `instance` through the proxy at the callback URL's host. */
  async callback(instance: string, callbackUrl: URL) {
    const response = await this.get(
      `${instance}${callbackUrl.pathname}${callbackUrl.search}`,
      callbackUrl.host,
    );
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  async logIn(instance: string, host: string, path: string, callbackInstance = instance) {
    const authorizeUrl = await this.start(instance, host, path);
    return {
      authorizeUrl,
      ...(await this.callback(callbackInstance, await this.authorize(authorizeUrl))),
    };
  }
}

beforeAll(async () => {
  sandbox = await WxSandbox.start({ apps: [{ appid: 'wx0platform0owner', kind: 'website' }] });
});

afterAll(async () => {
  await sandbox.close();
  const logs = loggers.flatMap((logger) => logger.lines).join('\n');
  for (const app of sandbox.apps) expect(logs).not.toContain(app.secret);
});

describe('tenants on one instance', () => {
  let app: INestApplication;
  let url: string;
  let directory: TenantDirectory;

  beforeAll(async () => {
    ({ app, url, directory } = await startInstance());
  });
  afterAll(() => app.close());

  it('logs each tenant in with its own app, two of them on one shared callback domain', async () => {
    for (const [id, host, path] of [
      ['acme', SHARED, '/t/acme/auth/wechat'],
      ['bolt', SHARED, '/t/bolt/auth/wechat'],
      ['cora', CORA_HOST, '/auth/wechat'],
    ] as const) {
      const appid = `wx0${id}0official`;
      const login = await new Browser('alice').logIn(url, host, path);
      expect(login.authorizeUrl.searchParams.get('appid')).toBe(appid);
      expect(decodeURIComponent(login.authorizeUrl.searchParams.get('redirect_uri')!)).toBe(
        id === 'cora' ? `http://${CORA_HOST}/auth/wechat/callback` : SHARED_CALLBACK,
      );
      expect(login.status).toBe(200);
      expect(login.body.state).toEqual({ appid, tenant: id });
      expect(login.body.user).toMatchObject({ appid, openid: sandbox.openidOf('alice', appid) });
    }
  });

  it("gives the embedded QR login the tenant's website app, and 400 to a tenant without one", async () => {
    const website = sandbox.addApp({
      appid: 'wx0acme0website',
      kind: 'website',
      openPlatform: 'acme',
    });
    directory.tenants.get('acme')!.website = { appid: website.appid, secret: website.secret };
    app.get(WxTenants).forget('acme');
    const browser = new Browser('alice');
    const qr = await browser.get(`${url}/t/acme/login/qr`, SHARED);
    expect(await qr.json()).toMatchObject({
      appid: 'wx0acme0website',
      redirect_uri: encodeURIComponent(SHARED_CALLBACK),
    });
    expect((await browser.get(`${url}/t/bolt/login/qr`, SHARED)).status).toBe(400);
  });

  it("keeps each tenant's tokens under its appid", async () => {
    const login = await new Browser('bob').logIn(url, SHARED, '/t/bolt/auth/wechat');
    const { openid, appid } = login.body.user as WxWeChatProfile;
    const tokens = app.get(WxTokenService);
    await expect(tokens.checkAccessTokenFor(openid, appid)).resolves.toBe(true);
    await expect(tokens.checkAccessTokenFor(openid)).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it("never spends one tenant's code with another tenant's state, and answers 401", async () => {
    const browser = new Browser('alice');
    await browser.start(url, SHARED, '/t/acme/auth/wechat');
    // A code WeChat issued to bolt's account, brought to the callback of acme's login.
    const boltCode = sandbox.issueCode('alice', 'snsapi_userinfo', 'wx0bolt0official');
    const state = /wx_oauth_([0-9a-f]{32})=/.exec(browser.jar.header())![1];
    const callback = await browser.callback(
      url,
      new URL(`${SHARED_CALLBACK}?code=${boltCode}&state=${state}`),
    );
    expect(callback.status).toBe(401);
    expect(callback.body).toMatchObject({ kind: 'invalid_code', errcode: 40029 });
  });

  it('answers 404 for a host or tenant it does not serve, and 503 when the resolver fails', async () => {
    const browser = new Browser('alice');
    expect((await browser.get(`${url}/auth/wechat`, 'nobody.example.test')).status).toBe(404);
    expect((await browser.get(`${url}/t/nobody/auth/wechat`, SHARED)).status).toBe(404);
    directory.failing = true;
    try {
      app.get(WxTenants).forget('acme');
      const down = await browser.get(`${url}/t/acme/auth/wechat`, SHARED);
      expect(down.status).toBe(503);
      const text = await down.text();
      expect(JSON.parse(text)).toMatchObject({ kind: 'tenant_unavailable' });
      expect(text).not.toContain('tenants-db');
    } finally {
      directory.failing = false;
    }
  });

  it('loads a cached tenant once, and a tenant added while it runs on its first login', async () => {
    const before = directory.loads;
    for (let i = 0; i < 3; i++)
      await new Browser('alice').logIn(url, SHARED, '/t/acme/auth/wechat');
    expect(directory.loads - before).toBeLessThanOrEqual(1);

    seedTenant(directory, 'dora');
    const login = await new Browser('carol').logIn(url, SHARED, '/t/dora/auth/wechat');
    expect(login.status).toBe(200);
    expect(login.body.state).toEqual({ appid: 'wx0dora0official', tenant: 'dora' });
  });

  it("refuses a removed tenant's new logins (404) and its logins in flight (401)", async () => {
    seedTenant(directory, 'emma');
    const browser = new Browser('alice');
    const authorizeUrl = await browser.start(url, SHARED, '/t/emma/auth/wechat');
    const callbackUrl = await browser.authorize(authorizeUrl);
    directory.tenants.delete('emma');
    app.get(WxTenants).forget('emma');
    expect((await browser.callback(url, callbackUrl)).status).toBe(401);
    expect((await new Browser('bob').get(`${url}/t/emma/auth/wechat`, SHARED)).status).toBe(404);
  });

  it('takes a rotated secret once told, names the tenant (never a secret) until then, and leaves other tenants alone', async () => {
    const cora = directory.tenants.get('cora')!.officialAccount as WxAppCredentials;
    const old = cora.secret;
    const secret = sandbox.setSecret('wx0cora0official');
    // WeChat has the new secret, the app's cache the old one: cora's logins fail, and say whose.
    const stale = await new Browser('alice').logIn(url, CORA_HOST, '/auth/wechat');
    expect(stale.status).toBe(502);
    expect(stale.body.message).toContain('of tenant cora');
    expect(JSON.stringify(stale.body)).not.toContain(old);
    expect((await new Browser('alice').logIn(url, SHARED, '/t/acme/auth/wechat')).status).toBe(200);

    cora.secret = secret;
    app.get(WxTenants).forget('cora');
    expect((await new Browser('alice').logIn(url, CORA_HOST, '/auth/wechat')).status).toBe(200);
  });
});

describe('tenants on two instances sharing Redis', () => {
  let redis: RedisServer;
  const instances: { app: INestApplication; url: string }[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    for (let i = 0; i < 2; i++)
      instances.push(await startInstance(new WxRedisStore({ url: redis.url })));
  });
  afterAll(async () => {
    await Promise.all(instances.map(({ app }) => app.close()));
    await redis.stop();
  });

  it('finishes on one instance the logins another started, each with its tenant', async () => {
    const [a, b] = instances.map((instance) => instance.url);
    for (const [id, host, path] of [
      ['acme', SHARED, '/t/acme/auth/wechat'],
      ['bolt', SHARED, '/t/bolt/auth/wechat'],
      ['cora', CORA_HOST, '/auth/wechat'],
    ] as const) {
      const login = await new Browser('bob').logIn(a, host, path, b);
      expect(login.status).toBe(200);
      expect(login.body.state).toMatchObject({ tenant: id });
    }
  });
});

describe('a tenant by host behind a proxy the app does not trust', () => {
  // Its own app, built last: passport keeps the strategies of the app built last in the process.
  it('reads X-Forwarded-Host only where the app trusts its proxy', async () => {
    const untrusting = await startInstance(undefined, false);
    try {
      const start = await new Browser('alice').get(`${untrusting.url}/auth/wechat`, CORA_HOST);
      expect(start.status).toBe(404);
      expect(((await start.json()) as { message: string }).message).toBe(
        `No tenant is served at ${new URL(untrusting.url).host}`,
      );
    } finally {
      await untrusting.app.close();
    }
  });
});

// The package README's shops by host ("Many tenants in one deployment"): its resolver and its
// controller are these classes, word for word, and its test is the first one below.

/** A shop's row, as the README's repository gives it. */
interface ShopRow {
  mpAppid: string;
  mpSecret: string;
  webAppid?: string;
  webSecret: string;
}

/** The app's repository, in memory; `failure` is its database down. */
@Injectable()
class TenantsRepository {
  readonly rows = new Map<string, ShopRow>();
  failure?: Error;

  async findOne(id: string): Promise<ShopRow | undefined> {
    if (this.failure) throw this.failure;
    return this.rows.get(id);
  }

  async idByAppid(appid: string): Promise<string | undefined> {
    if (this.failure) throw this.failure;
    return [...this.rows].find(([, row]) => row.mpAppid === appid)?.[0];
  }
}

@Injectable()
export class TenantResolver implements WxTenantResolver {
  /** Where the shops are: https://shop.example.com, in development http://shop.localhost:3010. */
  private readonly shops: URL;

  constructor(
    private readonly tenants: TenantsRepository,
    config: ConfigService,
  ) {
    this.shops = new URL(config.getOrThrow<string>('SHOPS_URL'));
  }

  /** The shop at a hostname (no port): acme for acme.shop.example.com or acme.shop.localhost. */
  tenantOfHost(hostname: string): string | undefined {
    const suffix = `.${this.shops.hostname}`;
    return hostname.endsWith(suffix) ? hostname.slice(0, -suffix.length) : undefined;
  }

  // Every login request: keep it cheap (a host, a path prefix or a header).
  tenantOf({ hostname }: WxTenantRequest): string | undefined {
    return this.tenantOfHost(hostname);
  }

  // Cached by the module for tenants.cacheTtl (a minute).
  async load(id: string): Promise<WxTenant | undefined> {
    const row = await this.tenants.findOne(id);
    if (!row) return undefined;
    return {
      id,
      officialAccount: { appid: row.mpAppid, secret: row.mpSecret },
      website: row.webAppid ? { appid: row.webAppid, secret: row.webSecret } : undefined,
      // On the shop's own host and port: http://acme.shop.localhost:3010/auth/wechat/callback
      callbackURL: `${this.shops.protocol}//${id}.${this.shops.host}/auth/wechat/callback`,
    };
  }

  // For tokens and background work that start from an appid.
  tenantOfAppid(appid: string): Promise<string | undefined> {
    return this.tenants.idByAppid(appid);
  }
}

@Controller('auth/wechat')
export class AuthController {
  constructor(private readonly resolver: TenantResolver) {}

  @Get()
  @UseGuards(WxAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(WxAuthGuard)
  callback(@Req() req: Request, @WxUser() user: WxProfile): WxProfile {
    // The shop the login was for, and the shop whose host the callback reached.
    const { tenant } = (req.authInfo as WxAuthInfo).state;
    if (tenant !== this.resolver.tenantOfHost(req.hostname))
      throw new ForbiddenException('This login was started at another shop');
    return user;
  }
}

@Module({
  imports: [ConfigModule],
  providers: [TenantsRepository, TenantResolver],
  exports: [TenantsRepository, TenantResolver],
})
class ShopsModule {}

/** A driver's error, as a database client throws it: its message names the database, password included. */
class DatabaseError extends Error {
  readonly code = 'ECONNREFUSED';
}

describe("the README's shops by host, on a development port", () => {
  let sandbox: WxSandbox;
  let app: INestApplication;
  let logger: CaptureLogger;
  let repository: TenantsRepository;

  beforeAll(async () => {
    // acme's row in the test database has the sandbox's app wx0acme0official and its secret;
    // the app runs with SHOPS_URL=http://shop.localhost:3010.
    sandbox = await WxSandbox.start({
      autoApprove: 'alice',
      apps: [{ appid: 'wx0acme0official', kind: 'officialAccount' }],
    });
    // Its own app, built last: passport keeps the strategies of the app built last in the process.
    ({ app, logger } = await listenApp(await freePort(), {
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ SHOPS_URL: 'http://shop.localhost:3010' })],
        }),
        ShopsModule,
        WxOAuthModule.forRootAsync({
          imports: [ShopsModule],
          inject: [TenantResolver, ConfigService],
          useFactory: (resolver: TenantResolver, config: ConfigService) => ({
            tenants: { resolver },
            // The path every tenant's callback has.
            callbackURL: new URL('/auth/wechat/callback', config.getOrThrow<string>('SHOPS_URL'))
              .href,
            state: { secret: STATE_SECRET },
            apiBaseUrl: sandbox.url,
            openBaseUrl: sandbox.url,
          }),
        }),
      ],
      controllers: [AuthController],
    }));
    repository = app.get(TenantsRepository);
    repository.rows.set('acme', {
      mpAppid: 'wx0acme0official',
      mpSecret: sandbox.app('wx0acme0official').secret,
      webSecret: '',
    });
  });

  afterAll(async () => {
    await app.close();
    await sandbox.close();
    expect(logger.lines.join('\n')).not.toContain(sandbox.app('wx0acme0official').secret);
  });

  it('logs alice in at acme.shop.localhost:3010 through loginThroughSandbox, as the README shows', async () => {
    const login = await loginThroughSandbox<WxProfile>(app.getHttpServer(), {
      sandbox,
      path: '/auth/wechat',
      headers: { host: 'acme.shop.localhost:3010' },
      userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50', // in WeChat: the official account
    });

    const openid = sandbox.openidOf('alice', 'wx0acme0official');
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ appid: 'wx0acme0official', openid });
    // WeChat was sent back to the shop's own host and port.
    expect(login.callbackUrl).toMatch(
      /^http:\/\/acme\.shop\.localhost:3010\/auth\/wechat\/callback\?/,
    );
  });

  it("refuses, in the README's handler, a login of one shop whose callback reached another's host", async () => {
    const jar = new CookieJar();
    const start = await request(app.getHttpServer())
      .get('/auth/wechat')
      .set('Host', 'acme.shop.localhost:3010')
      .set('User-Agent', WECHAT_UA)
      .expect(302);
    jar.apply(start.headers['set-cookie'] as unknown as string[]);
    const approved = await fetch(start.headers.location.replace(/#.*$/, ''), {
      redirect: 'manual',
      headers: { 'user-agent': WECHAT_UA },
    });
    const callback = new URL(approved.headers.get('location')!);

    const elsewhere = await request(app.getHttpServer())
      .get(callback.pathname + callback.search)
      .set('Host', 'bolt.shop.localhost:3010')
      .set('User-Agent', WECHAT_UA)
      .set('Cookie', jar.header());
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ message: 'This login was started at another shop' });
  });

  it('answers a host no shop serves with 404 Not Found, naming it', async () => {
    for (const [host, message] of [
      ['ghost.shop.localhost:3010', 'Tenant ghost does not exist'],
      ['shop.localhost:3010', 'No tenant is served at shop.localhost:3010'],
    ]) {
      const missing = await request(app.getHttpServer()).get('/auth/wechat').set('Host', host);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message,
        kind: 'unknown_tenant',
      });
    }
  });

  it("answers 503 tenant_unavailable when the shops' database is down, logging its class, never its message", async () => {
    repository.failure = new DatabaseError('connect ECONNREFUSED postgres://shop:hunter2@db/shops');
    app.get(WxTenants).forget('acme');
    try {
      const down = await request(app.getHttpServer())
        .get('/auth/wechat')
        .set('Host', 'acme.shop.localhost:3010');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The tenant resolver failed',
        kind: 'tenant_unavailable',
      });
      expect(logger.lines).toContain(
        `error [WxOAuthModule] The tenant resolver's load for tenant "acme" failed: DatabaseError (ECONNREFUSED) (set tenants.logErrors to log its message)`,
      );
      expect(logger.lines.join('\n')).not.toContain('hunter2');
    } finally {
      repository.failure = undefined;
    }
  });

  it("is the README's resolver, controller and test, word for word", async () => {
    const readme = await readFile(new URL('../libs/wx-oauth/README.md', import.meta.url), 'utf8');
    const section = /## Many tenants in one deployment([\s\S]*?)\n## /.exec(readme)![1];
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    const checked = blocks.filter((block) =>
      /TenantResolver implements|tenantOfHost\(req|loginThroughSandbox/.test(block),
    );
    expect(checked).toHaveLength(3);
    const spec = await readFile(new URL(import.meta.url), 'utf8');
    for (const line of checked.flatMap((block) => block.split('\n')))
      if (line.trim() && !/^(import|\/\/ src\/)/.test(line)) expect(spec).toContain(line);
  });
});
