/**
 * The demo as docker-compose runs it, without Docker: the sandbox and the demo
 * start as two processes with the very commands of the Dockerfile and the
 * compose file and the compose environment, service names mapped to loopback;
 * Redis and PostgreSQL are servers of this test's, with the compose file's
 * database and user.
 * `npm test` builds dist/ first, as the image does.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CookieJar } from 'nest-wx-oauth/testing';
import { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { startProcess, type Running } from './support/child-process.js';
import { freePort } from './support/free-port.js';
import { decideUrl } from './support/login-flow.js';
import { PostgresServer } from './support/postgres-server.js';
import { RedisServer } from './support/redis-server.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

interface ComposeService {
  command?: string[];
  environment: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

/** The Dockerfile's last CMD, in its JSON (exec) form. */
async function dockerfileCommand(): Promise<string[]> {
  const dockerfile = await readFile(`${repo}/Dockerfile`, 'utf8');
  const cmd = [...dockerfile.matchAll(/^CMD (\[.*\])$/gm)].pop();
  if (!cmd) throw new Error('Dockerfile has no CMD in exec form');
  return JSON.parse(cmd[1]) as string[];
}

/** Compose's `${VAR:-default}` and `${VAR-default}` as compose resolves them with VAR unset. */
function resolveDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      String(value).replace(/\$\{\w+:?-([^}]*)\}/g, '$1'),
    ]),
  );
}

describe('the demo as docker-compose wires it', () => {
  let services: Record<string, ComposeService>;
  let redis: RedisServer;
  let postgres: PostgresServer;
  /** The compose file's database, on the test's PostgreSQL. */
  let database: DataSource;
  let sandbox: Running | undefined;
  let demo: Running | undefined;
  let demoUrl: string;
  let sandboxUrl: string;

  beforeAll(async () => {
    // `merge`: the compose file shares the sandbox's apps between two services with `<<: *sandbox-apps`.
    services = (
      parse(await readFile(`${repo}/docker-compose.yml`, 'utf8'), { merge: true }) as {
        services: Record<string, ComposeService>;
      }
    ).services;
    redis = await RedisServer.start();
    postgres = await PostgresServer.start();
    // The postgres service's user and database, as the image's entrypoint makes them.
    const { POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB } = services.postgres.environment;
    const admin = await new DataSource({ type: 'postgres', url: postgres.url() }).initialize();
    await admin.query(`CREATE ROLE ${POSTGRES_USER} LOGIN PASSWORD '${POSTGRES_PASSWORD}'`);
    await admin.query(`CREATE DATABASE ${POSTGRES_DB} OWNER ${POSTGRES_USER}`);
    await admin.destroy();
    const [sandboxPort, demoPort] = [await freePort(), await freePort()];
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    demoUrl = `http://127.0.0.1:${demoPort}`;
    // Published ports and service names become free loopback ports.
    const wire = (env: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(resolveDefaults(env)).map(([key, value]) => [
          key,
          value
            .replace(/^http:\/\/(sandbox|localhost):3001/, sandboxUrl)
            .replace(/^http:\/\/(demo|localhost):3000/, demoUrl)
            .replace(/^redis:\/\/redis:6379$/, redis.url)
            .replace(/^(postgres:\/\/[^@/]*@)postgres:5432\//, `$1127.0.0.1:${postgres.port}/`),
        ]),
      );
    const base = { PATH: process.env.PATH, NODE_ENV: 'production' };

    sandbox = await startProcess(services.sandbox.command!, {
      cwd: repo,
      env: { ...base, ...wire(services.sandbox.environment), PORT: String(sandboxPort) },
      ready: /listening on/,
    });
    demo = await startProcess(await dockerfileCommand(), {
      cwd: repo,
      env: { ...base, ...wire(services.demo.environment), PORT: String(demoPort) },
      ready: /Demo on .*tokens in Redis, users in PostgreSQL/,
    });
    database = await new DataSource({
      type: 'postgres',
      url: wire(services.demo.environment).DATABASE_URL,
    }).initialize();
  });

  afterAll(async () => {
    const [demoEnd, sandboxEnd] = await Promise.all([demo?.stop(), sandbox?.stop()]);
    // A clean stop on SIGTERM, as `docker compose down` sends it.
    expect([demoEnd, sandboxEnd]).toEqual([
      { code: null, signal: 'SIGTERM' },
      { code: 0, signal: null },
    ]);
    await redis.stop();
    await database?.destroy();
    await postgres?.stop();
    const env = resolveDefaults(services.demo.environment);
    for (const secret of [
      env.WX_SANDBOX_MP_SECRET,
      env.WX_SANDBOX_WEB_SECRET,
      env.WX_SANDBOX_MOBILE_SECRET,
      env.WX_SANDBOX_MULTIEND_SECRET,
      env.WX_SANDBOX_WECOM_SECRET,
      env.WX_SANDBOX_MP_PUSH_TOKEN,
      env.WX_SANDBOX_MP_PUSH_AES_KEY,
      env.WX_SANDBOX_COMPONENT_SECRET,
      env.WX_SANDBOX_COMPONENT_TOKEN,
      env.WX_SANDBOX_COMPONENT_AES_KEY,
      services.postgres.environment.POSTGRES_PASSWORD,
    ]) {
      expect(secret).toBeTruthy();
      expect(`${demo?.output()}${sandbox?.output()}`).not.toContain(secret);
    }
  });

  it('listens on loopback outside a container; only the image opens it (HOST=0.0.0.0)', async () => {
    expect(sandbox?.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(demo?.output()).toContain('(listening on 127.0.0.1)');
    expect(await readFile(`${repo}/Dockerfile`, 'utf8')).toMatch(
      /^ENV PORT=3000 HOST=0\.0\.0\.0$/m,
    );
  });

  it('sends the security headers: no framing by other sites, no sniffing, scripts from WeChat only', async () => {
    const res = await fetch(`${demoUrl}/login`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`script-src 'self' ${sandboxUrl}`);
    expect(csp).toContain(`frame-src ${sandboxUrl}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(await res.text()).not.toMatch(/<script>|<style>/);
  });

  it('is a valid compose file', async () => {
    // Debian's docker-compose validates it; scripts/setup-test-deps.sh installs it.
    await expect(
      promisify(execFile)('docker-compose', ['config', '-q'], { cwd: repo }),
    ).resolves.toBeDefined();
  });

  it("keeps the users in the postgres service's database: healthy before the demo starts, on a volume", async () => {
    const { postgres: service, demo: demoService } = services;
    expect(service.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(service.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(demoService.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    const { POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB } = service.environment;
    expect(resolveDefaults(demoService.environment).DATABASE_URL).toBe(
      `postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB}`,
    );
    // `DATABASE_URL= docker compose up` (empty): the embedded engine instead.
    expect(demoService.environment.DATABASE_URL).toMatch(/^\$\{DATABASE_URL-postgres:/);

    // The demo migrated the empty database at start-up, and keeps its logins' users there.
    const start = await fetch(`${demoUrl}/auth/wechat/mp`, { redirect: 'manual' });
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const decide = decideUrl(start.headers.get('location')!, sandboxUrl, 'bob', 'approve');
    const callback = (await fetch(decide, { redirect: 'manual' })).headers.get('location')!;
    const landed = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    const session = landed.headers
      .getSetCookie()
      .find((c) => c.startsWith('demo_session='))!
      .split(';')[0];
    const page = await (await fetch(`${demoUrl}/profile`, { headers: { cookie: session } })).text();
    const [, openid] = /<dd id="openid">([^<]+)<\/dd>/.exec(page)!;
    const [, userId] = /<dd id="user-id">([^<]+)<\/dd>/.exec(page)!;
    const rows = (await database.query(
      'SELECT u.id FROM wx_identities i JOIN demo_users u ON u.id = i.user_id WHERE i.appid = $1 AND i.openid = $2',
      [demoService.environment.WX_SANDBOX_MP_APPID, openid],
    )) as { id: string }[];
    expect(rows).toEqual([{ id: userId }]);
  });

  it('answers the container health check', async () => {
    const res = await fetch(`${demoUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(services.sandbox.healthcheck?.test.join(' ')).toContain('/sns/auth');
    expect((await fetch(`${sandboxUrl}/sns/auth`)).status).toBe(200);
  });

  it('logs in through the separately started sandbox', async () => {
    const start = await fetch(`${demoUrl}/auth/wechat/mp`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!.replace(/#.*$/, ''));
    expect(authorize.origin).toBe(sandboxUrl);
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');

    // What the consent form submits when alice approves.
    const decide = decideUrl(authorize.toString(), sandboxUrl, 'alice', 'approve');
    const callback = (await fetch(decide, { redirect: 'manual' })).headers.get('location')!;
    expect(callback.startsWith(`${demoUrl}/auth/wechat/callback?code=`)).toBe(true);

    const landed = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/profile');
    const session = landed.headers
      .getSetCookie()
      .find((c) => c.startsWith('demo_session='))!
      .split(';')[0];
    const profile = await fetch(`${demoUrl}/profile`, { headers: { cookie: session } });
    expect(profile.status).toBe(200);
    expect(await profile.text()).toContain('<h1 id="nickname">Alice</h1>');
  });

  it("logs a desktop in through the sandbox's website app", async () => {
    const start = await fetch(`${demoUrl}/auth/wechat`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!.replace(/#.*$/, ''));
    expect(authorize.pathname).toBe('/connect/qrconnect');
    expect(authorize.searchParams.get('appid')).toBe(
      services.demo.environment.WX_SANDBOX_WEB_APPID,
    );
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const callback = (
      await fetch(decideUrl(authorize.toString(), sandboxUrl, 'alice', 'approve'), {
        redirect: 'manual',
      })
    ).headers.get('location')!;
    const landed = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(landed.headers.get('location')).toBe('/profile');
  });

  it("logs a WeCom member in through the sandbox's corp, on the web and inside the WeCom client", async () => {
    const env = resolveDefaults(services.demo.environment);
    // The sandbox service and the demo share the corp's app, its secret among them.
    for (const key of ['CORPID', 'AGENTID', 'SECRET'])
      expect(services.sandbox.environment[`WX_SANDBOX_WECOM_${key}`]).toBe(
        env[`WX_SANDBOX_WECOM_${key}`],
      );
    // Real WeCom gets no sandbox value.
    expect([env.WX_WECOM_CORPID, env.WX_WECOM_AGENTID, env.WX_WECOM_SECRET]).toEqual(['', '', '']);
    expect(await (await fetch(`${demoUrl}/`)).text()).toContain('id="login-wecom"');

    /** The login as `userKey`, who agrees to share their details or not (the sandbox's test parameters); the profile page. */
    const logIn = async (userAgent: string, userKey: string, consent?: 'agree' | 'decline') => {
      const start = await fetch(`${demoUrl}/auth/wecom`, {
        redirect: 'manual',
        headers: { 'user-agent': userAgent },
      });
      const page = new URL(start.headers.get('location')!);
      expect(page.origin).toBe(sandboxUrl);
      expect(page.searchParams.get('appid')).toBe(env.WX_SANDBOX_WECOM_CORPID);
      const cookie = start.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      page.searchParams.set('sandbox_user', userKey);
      if (consent) page.searchParams.set('sandbox_consent', consent);
      const callback = (await fetch(page, { redirect: 'manual' })).headers.get('location')!;
      expect(callback.startsWith(`${demoUrl}/auth/wecom?code=`)).toBe(true);
      const landed = await fetch(callback, { redirect: 'manual', headers: { cookie } });
      expect(landed.headers.get('location')).toBe('/profile');
      const session = landed.headers
        .getSetCookie()
        .find((c) => c.startsWith('demo_session='))!
        .split(';')[0];
      return {
        page,
        profile: await (await fetch(`${demoUrl}/profile`, { headers: { cookie: session } })).text(),
      };
    };

    const web = await logIn('Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', 'zhangsan');
    expect(web.page.pathname).toBe('/wwlogin/sso/login');
    expect(web.profile).toContain(`<dd id="corpid">${env.WX_SANDBOX_WECOM_CORPID}</dd>`);
    expect(web.profile).toContain('<dd id="userid">ZhangSan</dd>');
    expect(web.profile).toContain('id="wecom-no-details"');

    const inClient = await logIn(
      'Mozilla/5.0 (iPhone) Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1',
      'lisi',
      'agree',
    );
    expect(inClient.page.pathname).toBe('/connect/oauth2/authorize');
    expect(inClient.page.searchParams.get('scope')).toBe('snsapi_privateinfo');
    expect(inClient.page.searchParams.get('agentid')).toBe(env.WX_SANDBOX_WECOM_AGENTID);
    expect(inClient.profile).toContain('<dd id="userid">LiSi</dd>');
    expect(inClient.profile).toContain('<dd data-detail="mobile">13900139000</dd>');
  });

  it("serves the native app stand-in page, whose codes come from the sandbox's own helpers", async () => {
    const env = services.demo.environment;
    const page = await fetch(`${demoUrl}/app`);
    expect(page.status).toBe(200);
    // The sandbox where the browser reaches it (the published port), which the CSP lets the page call.
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ${sandboxUrl}`,
    );
    const html = await page.text();
    expect(html).toContain(`"sandboxUrl":"${sandboxUrl}"`);
    expect(html).toContain('id="app-login-multiend"');

    // What the page does: the test users, a state, the sandbox's code, the login.
    const postJson = async (url: string, body: unknown) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const users = await fetch(
      `${sandboxUrl}/sandbox/app/users?appid=${env.WX_SANDBOX_MOBILE_APPID}`,
    ).then((res) => res.json());
    expect(users).toContainEqual({ key: 'alice', nickname: 'Alice' });
    const logIn = async (multiEnd: boolean) => {
      const { state } = (await postJson(`${demoUrl}/auth/wechat/app/state`, {})).body;
      const { body: minted } = multiEnd
        ? await postJson(`${sandboxUrl}/sandbox/app/identity-code`, {
            appid: env.WX_SANDBOX_MULTIEND_APPID,
            user: 'alice',
          })
        : await postJson(`${sandboxUrl}/sandbox/app/login`, {
            appid: env.WX_SANDBOX_MOBILE_APPID,
            user: 'alice',
            state,
          });
      if (!multiEnd) expect(minted.state).toBe(state);
      return postJson(`${demoUrl}/auth/wechat/app`, { code: minted.code, state, multiEnd });
    };
    const sdk = await logIn(false);
    expect(sdk.status).toBe(200);
    expect(sdk.body).toMatchObject({
      linked: true,
      user: { appid: env.WX_SANDBOX_MOBILE_APPID, nickname: 'Alice' },
    });
    const multiEnd = await logIn(true);
    expect(multiEnd.status).toBe(200);
    expect(multiEnd.body.user.id).toBe(sdk.body.user.id);
  });

  it("pushes the official account's scans from the sandbox to the demo, with a Token and key both get", () => {
    const sandboxEnv = resolveDefaults(services.sandbox.environment);
    const demoEnv = resolveDefaults(services.demo.environment);
    // The demo's service name and port, and its push route (WechatEventsController).
    expect(sandboxEnv.WX_SANDBOX_MP_PUSH_URL).toBe(`http://demo:${demoEnv.PORT}/wechat/events`);
    expect(sandboxEnv.WX_SANDBOX_MP_PUSH_TOKEN).toMatch(/^[A-Za-z0-9]{3,32}$/);
    expect(sandboxEnv.WX_SANDBOX_MP_PUSH_AES_KEY).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(demoEnv.WX_SANDBOX_MP_PUSH_TOKEN).toBe(sandboxEnv.WX_SANDBOX_MP_PUSH_TOKEN);
    expect(demoEnv.WX_SANDBOX_MP_PUSH_AES_KEY).toBe(sandboxEnv.WX_SANDBOX_MP_PUSH_AES_KEY);
    // Real WeChat gets no sandbox value: the demo's own push variables default to nothing.
    expect(demoEnv.WX_MP_TOKEN).toBe('');
    expect(demoEnv.WX_MP_AES_KEY).toBe('');
    // What the user sets replaces the sandbox's in both services, which stay in step.
    expect(services.sandbox.environment.WX_SANDBOX_MP_PUSH_TOKEN).toMatch(/^\$\{WX_MP_TOKEN:-/);
    expect(services.sandbox.environment.WX_SANDBOX_MP_PUSH_AES_KEY).toMatch(/^\$\{WX_MP_AES_KEY:-/);
    expect(sandbox?.output()).toContain(`${demoUrl}/wechat/events, safe mode`);
  });

  it("wires the sandbox's third-party platform to the demo, which runs as a SaaS on it only with DEMO_SAAS", async () => {
    const sandboxEnv = resolveDefaults(services.sandbox.environment);
    const demoEnv = resolveDefaults(services.demo.environment);
    // The demo's service name and port, and its authorisation-event route (ComponentEventsController).
    expect(sandboxEnv.WX_SANDBOX_COMPONENT_EVENT_URL).toBe(
      `http://demo:${demoEnv.PORT}/wechat/component/events`,
    );
    expect(sandboxEnv.WX_SANDBOX_COMPONENT_TOKEN).toMatch(/^[A-Za-z0-9]{3,32}$/);
    expect(sandboxEnv.WX_SANDBOX_COMPONENT_AES_KEY).toMatch(/^[A-Za-z0-9]{43}$/);
    for (const key of ['APPID', 'SECRET', 'TOKEN', 'AES_KEY'])
      expect(demoEnv[`WX_SANDBOX_COMPONENT_${key}`]).toBe(
        sandboxEnv[`WX_SANDBOX_COMPONENT_${key}`],
      );
    // Real WeChat's platform and the switch default to nothing: the SaaS's pages are not there.
    expect(demoEnv.DEMO_SAAS).toBe('');
    expect(demoEnv.WX_COMPONENT_APPID).toBe('');
    expect((await fetch(`${demoUrl}/admin/merchants`)).status).toBe(404);
    expect(
      (await fetch(`${demoUrl}/wechat/component/events`, { method: 'POST', body: '<xml/>' }))
        .status,
    ).toBe(404);
  });

  it('logs a visitor in who follows the official account: the QR code, the scan on the sandbox, its push to the demo', async () => {
    const jar = new CookieJar();
    const call = async (path: string, method = 'GET') => {
      const cookie = jar.header();
      const res = await fetch(`${demoUrl}${path}`, {
        method,
        redirect: 'manual',
        headers: cookie ? { cookie } : {},
      });
      jar.apply(res.headers.getSetCookie());
      return res;
    };

    // The follow login page, enabled: its QR image comes from the sandbox where the browser reaches it.
    const page = await call('/login/follow');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="follow-qr"');
    expect(page.headers.get('content-security-policy')).toContain(
      `img-src 'self' data: ${sandboxUrl}`,
    );
    const started = await call('/auth/wechat/follow', 'POST');
    expect(started.status).toBe(201);
    const qr = (await started.json()) as { imageUrl: string; url: string };
    expect(qr.imageUrl.startsWith(`${sandboxUrl}/cgi-bin/showqrcode?ticket=`)).toBe(true);
    const image = await fetch(qr.imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/svg+xml');
    expect(await (await call('/auth/wechat/follow/status')).json()).toEqual({ status: 'pending' });

    // The phone: the code opens the sandbox's scan page, where alice scans; the sandbox pushes to the demo.
    expect(qr.url.startsWith(`${sandboxUrl}/q/`)).toBe(true);
    const scanPage = await (await fetch(qr.url)).text();
    const action = /<form method="post" action="([^"]+)"/.exec(scanPage)?.[1];
    const qrId = /<input type="hidden" name="qr" value="([^"]+)">/.exec(scanPage)?.[1];
    expect(action).toBe('/sandbox/qrcode/scan');
    expect(scanPage).toContain('data-user="alice"');
    const scanned = await fetch(`${sandboxUrl}${action}`, {
      method: 'POST',
      body: new URLSearchParams({ qr: qrId!, user: 'alice' }),
    });
    expect(scanned.status).toBe(200);
    const result = await scanned.text();
    expect(result).toContain('data-answered="true"');
    expect(result).toContain('“登录成功 · Logged in”');

    // The page again: the scan arrived; the completion logs alice in, once.
    expect(await (await call('/auth/wechat/follow/status')).json()).toEqual({ status: 'scanned' });
    const done = await call('/auth/wechat/follow/done');
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/profile');
    const profile = await call('/profile');
    expect(profile.status).toBe(200);
    const html = await profile.text();
    expect(html).toContain('<h1 id="nickname">Alice</h1>');
    expect(html).toContain(resolveDefaults(services.demo.environment).WX_SANDBOX_MP_APPID);
    expect((await call('/auth/wechat/follow/done')).status).toBe(401);
  });
});
