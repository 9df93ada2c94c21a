/**
 * The demo's users in a real database, over HTTP, with a sandbox of this test's
 * as WeChat: on the embedded engine's file they survive a restart (and so do
 * their sessions, with SESSION_SECRET); on PostgreSQL, migrated at start-up from
 * empty, two demo instances (separate processes, the built app) share them; and
 * `/profile` unlinks an identity.
 */
import { jest } from '@jest/globals';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import { DataSource } from 'typeorm';
import { startDemo } from '../apps/demo/src/demo.app.js';
import { CaptureLogger } from './support/capture-logger.js';
import { startProcess, type Running } from './support/child-process.js';
import { freePort } from './support/free-port.js';
import { PostgresServer } from './support/postgres-server.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const OFFICIAL = 'wx0db0official';
const WEBSITE = 'wx0db0website';
const MINI = 'wx0db0miniprog';
const SESSION_SECRET = 'demo-database-session-secret-0123456789';

jest.setTimeout(60_000);

/** The apps of one Open Platform account, as the demo's compose file has them. */
function startSandbox(): Promise<WxSandbox> {
  return WxSandbox.start({
    apps: [
      { appid: OFFICIAL, kind: 'officialAccount', openPlatform: 'db' },
      { appid: WEBSITE, kind: 'website', openPlatform: 'db' },
      { appid: MINI, kind: 'miniProgram', openPlatform: 'db' },
    ],
  });
}

/** The variables of a demo on `port` for that sandbox's apps. */
function demoEnv(sandbox: WxSandbox, port: number): Record<string, string> {
  const secret = (appid: string) => sandbox.app(appid).secret;
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
    WX_SANDBOX_URL: sandbox.url,
    WX_SANDBOX_MP_APPID: OFFICIAL,
    WX_SANDBOX_MP_SECRET: secret(OFFICIAL),
    WX_SANDBOX_WEB_APPID: WEBSITE,
    WX_SANDBOX_WEB_SECRET: secret(WEBSITE),
    WX_SANDBOX_MINI_APPID: MINI,
    WX_SANDBOX_MINI_SECRET: secret(MINI),
    SESSION_SECRET,
  };
}

/** Logs `user` in on the demo at `url`: inside WeChat (the official account) or on a desktop (the website app). */
async function logIn(url: string, sandbox: WxSandbox, user: string, through: 'mp' | 'qr') {
  const login = await loginThroughSandbox(url, { sandbox, user, path: `/auth/wechat/${through}` });
  expect(login.status).toBe(302);
  expect(login.headers.get('location')).toBe('/profile');
  return login.cookie;
}

interface ProfilePage {
  status: number;
  html: string;
  userId?: string;
  identities: { kind: string; appid: string; openid: string }[];
  /** The unlink forms' token. */
  token?: string;
}

async function profile(url: string, cookie: string): Promise<ProfilePage> {
  const res = await fetch(`${url}/profile`, { redirect: 'manual', headers: { cookie } });
  return read(res);
}

async function read(res: Response): Promise<ProfilePage> {
  const html = await res.text();
  const identities = [
    ...html.matchAll(
      /class="identity"\s+data-app="([^"]+)"\s+data-appid="([^"]+)"\s+data-openid="([^"]+)"/g,
    ),
  ].map(([, kind, appid, openid]) => ({ kind, appid, openid }));
  return {
    status: res.status,
    html,
    userId: /<dd id="user-id">([^<]+)<\/dd>/.exec(html)?.[1],
    identities,
    token: /name="token" value="([^"]+)"/.exec(html)?.[1],
  };
}

function unlink(url: string, cookie: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${url}/profile/identities/unlink`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

describe("the demo on the embedded engine's file", () => {
  let sandbox: WxSandbox;
  let dir: string;
  let file: string;
  const logger = new CaptureLogger();

  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = await mkdtemp(join(tmpdir(), 'wx-demo-db-'));
    // In a folder that does not exist yet: the demo makes it.
    file = join(dir, 'data', 'demo.sqlite');
  });

  afterAll(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
    for (const line of logger.lines)
      for (const appid of [OFFICIAL, WEBSITE, MINI])
        expect(line).not.toContain(sandbox.app(appid).secret);
  });

  const start = async () =>
    startDemo({ ...demoEnv(sandbox, await freePort()), DEMO_DB_FILE: file }, logger);

  it('keeps the users, their identities and their sessions across a restart', async () => {
    let demo = await start();
    let web: string;
    let token: string;
    try {
      expect(logger.lines.join('\n')).toContain(`users in ${file}`);
      web = await logIn(demo.url, sandbox, 'alice', 'mp');
      const mini = await fetch(`${demo.url}/auth/wechat/miniprogram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          code: sandbox.wxLogin('alice', MINI),
          phoneCode: sandbox.phoneCode('alice', MINI),
        }),
      });
      expect(mini.status).toBe(200);
      ({ token } = (await mini.json()) as { token: string });
    } finally {
      await demo.close();
    }
    await access(file);

    // The same file, a new process's worth of memory: the person is still one user with both apps.
    demo = await start();
    try {
      const me = await fetch(`${demo.url}/api/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(200);
      const alice = (await me.json()) as { id: string; phoneNumber: string; identities: any[] };
      expect(alice.phoneNumber).toBe('13800138000');
      expect(alice.identities.map((i) => [i.kind, i.appid, i.openid, i.unionid]).sort()).toEqual(
        [
          ['miniProgram', MINI, sandbox.openidOf('alice', MINI), sandbox.unionidOf('alice', MINI)],
          [
            'officialAccount',
            OFFICIAL,
            sandbox.openidOf('alice', OFFICIAL),
            sandbox.unionidOf('alice', OFFICIAL),
          ],
        ].sort(),
      );
      // The web session from before the restart is valid (the same SESSION_SECRET), for the same user.
      const page = await profile(demo.url, web);
      expect(page.status).toBe(200);
      expect(page.userId).toBe(alice.id);
      expect(page.identities.map((i) => i.appid).sort()).toEqual([MINI, OFFICIAL].sort());
      expect(page.html).toContain('<dd id="phone">13800138000</dd>');

      // A new login of the person is that user again, not a new one.
      const again = await profile(demo.url, await logIn(demo.url, sandbox, 'alice', 'qr'));
      expect(again.userId).toBe(alice.id);
      expect(again.identities).toHaveLength(3);
    } finally {
      await demo.close();
    }
  });

  it('starts afresh once the file is deleted: the old sessions log in again', async () => {
    let demo = await start();
    const web = await logIn(demo.url, sandbox, 'bob', 'mp');
    const before = await profile(demo.url, web);
    await demo.close();
    await rm(file);

    demo = await start();
    try {
      const page = await fetch(`${demo.url}/profile`, {
        redirect: 'manual',
        headers: { cookie: web },
      });
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toBe('/login?returnTo=%2Fprofile');
      const after = await profile(demo.url, await logIn(demo.url, sandbox, 'bob', 'mp'));
      expect(after.userId).toBeDefined();
      expect(after.userId).not.toBe(before.userId);
    } finally {
      await demo.close();
    }
  });
});

describe('two demo instances on one PostgreSQL database', () => {
  let sandbox: WxSandbox;
  let postgres: PostgresServer;
  let postgresStopped = false;
  let db: DataSource;
  const instances: { url: string; process: Running }[] = [];
  let a: string;
  let b: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    postgres = await PostgresServer.start();
    const admin = await new DataSource({ type: 'postgres', url: postgres.url() }).initialize();
    await admin.query('CREATE DATABASE demo_users');
    await admin.destroy();
    const url = postgres.url('demo_users');
    const ports = [await freePort(), await freePort()];
    [a, b] = ports.map((port) => `http://127.0.0.1:${port}`);
    // Both at once, on the empty database: they migrate it once between them.
    instances.push(
      ...(await Promise.all(
        ports.map(async (port) => ({
          url: `http://127.0.0.1:${port}`,
          process: await startProcess(['node', 'dist/apps/demo/main.js'], {
            cwd: repo,
            env: {
              PATH: process.env.PATH,
              ...demoEnv(sandbox, port),
              DATABASE_URL: url,
            },
            ready: /Demo on .*users in PostgreSQL/,
            timeoutMs: 30_000,
          }),
        })),
      )),
    );
    db = await new DataSource({ type: 'postgres', url }).initialize();
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.process.stop()));
    for (const { process } of instances)
      for (const appid of [OFFICIAL, WEBSITE, MINI])
        expect(process.output()).not.toContain(sandbox.app(appid).secret);
    await db?.destroy();
    if (!postgresStopped) await postgres?.stop();
    await sandbox?.close();
  });

  /** The rows of `user`'s identities: their users, and the users' rows. */
  async function rowsOf(user: string): Promise<{ appid: string; user_id: string }[]> {
    return db.query(
      'SELECT i.appid, i.user_id FROM wx_identities i JOIN demo_users u ON u.id = i.user_id WHERE i.unionid = $1 ORDER BY i.appid',
      [sandbox.unionidOf(user, OFFICIAL)],
    );
  }

  it("ran the library's migration and the demo's, once", async () => {
    const migrations = (await db.query('SELECT name FROM migrations ORDER BY id')) as {
      name: string;
    }[];
    expect(migrations.map((m) => m.name)).toEqual([
      'WxIdentities1796601600000',
      'DemoUsers1796601600100',
      'DemoMerchants1796601600200',
    ]);
    // The SaaS's merchants' table, as its entity describes it, whether or not the demo runs as one.
    const columns = (await db.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'demo_merchants' ORDER BY column_name",
    )) as { column_name: string }[];
    expect(columns.map((c) => c.column_name)).toEqual([
      'appid',
      'authorizer_refresh_token',
      'created_at',
      'id',
      'name',
      'permissions',
      'status',
      'updated_at',
    ]);
  });

  it('is one user with two identities: the official account on A, the website app on B, by unionid', async () => {
    const onA = await logIn(a, sandbox, 'alice', 'mp');
    const onB = await logIn(b, sandbox, 'alice', 'qr');
    const rows = await rowsOf('alice');
    expect(rows.map((r) => r.appid)).toEqual([OFFICIAL, WEBSITE]);
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(1);

    // Each instance shows the other's identity, through either session.
    for (const [url, cookie] of [
      [a, onB],
      [b, onA],
    ]) {
      const page = await profile(url, cookie);
      expect(page.status).toBe(200);
      expect(page.userId).toBe(rows[0].user_id);
      expect(page.identities.sort((x, y) => x.appid.localeCompare(y.appid))).toEqual([
        { kind: 'officialAccount', appid: OFFICIAL, openid: sandbox.openidOf('alice', OFFICIAL) },
        { kind: 'website', appid: WEBSITE, openid: sandbox.openidOf('alice', WEBSITE) },
      ]);
    }
  });

  it('is one user, and no user left over, when the person logs in on both at the same moment', async () => {
    await Promise.all([logIn(a, sandbox, 'carol', 'mp'), logIn(b, sandbox, 'carol', 'qr')]);
    const rows = await rowsOf('carol');
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(1);
    const orphans = (await db.query(
      'SELECT count(*)::int AS n FROM demo_users u WHERE NOT EXISTS (SELECT 1 FROM wx_identities i WHERE i.user_id = u.id)',
    )) as { n: number }[];
    expect(orphans[0].n).toBe(0);
  });

  it("unlinks an identity on /profile; refuses the session's own, and a form without this session's token", async () => {
    const onA = await logIn(a, sandbox, 'bob', 'mp');
    const onB = await logIn(b, sandbox, 'bob', 'qr');
    const page = await profile(b, onB);
    expect(page.identities).toHaveLength(2);
    const official = { appid: OFFICIAL, openid: sandbox.openidOf('bob', OFFICIAL) };
    const website = { appid: WEBSITE, openid: sandbox.openidOf('bob', WEBSITE) };

    // Another site's form has no token; another session's token is not this session's.
    expect((await unlink(b, onB, official)).status).toBe(403);
    const tokenOfA = (await profile(a, onA)).token!;
    const forged = await unlink(b, onB, { ...official, token: tokenOfA });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('sent from another site');

    // The identity this session logged in through stays, with the reason on the profile.
    const own = await read(await unlink(b, onB, { ...website, token: page.token! }));
    expect(own.status).toBe(409);
    expect(own.html).toContain('id="notice"');
    expect(own.html).toContain(`You are logged in through this identity (${WEBSITE})`);
    expect(own.identities).toHaveLength(2);

    const done = await unlink(b, onB, { ...official, token: page.token! });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/profile');
    expect((await rowsOf('bob')).map((r) => r.appid)).toEqual([WEBSITE]);
    expect((await profile(a, onB)).identities.map((i) => i.appid)).toEqual([WEBSITE]);
    // Gone already: nothing to unlink.
    expect((await unlink(b, onB, { ...official, token: page.token! })).status).toBe(404);

    // The official account is still the same person's (the unionid): its next login links it again.
    const relinked = await profile(a, await logIn(a, sandbox, 'bob', 'mp'));
    expect(relinked.userId).toBe(page.userId);
    expect(relinked.identities).toHaveLength(2);
  });

  // Last: it stops the database.
  it('answers 503 while the database is down, for the pages, the API and the logins', async () => {
    const session = await logIn(a, sandbox, 'alice', 'mp');
    const mini = await fetch(`${b}/auth/wechat/miniprogram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: sandbox.wxLogin('alice', MINI) }),
    });
    const { token } = (await mini.json()) as { token: string };
    postgresStopped = true;
    await postgres.stop();

    const page = await fetch(`${a}/profile`, { redirect: 'manual', headers: { cookie: session } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('The demo cannot reach its database');
    const me = await fetch(`${b}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(503);
    const login = await loginThroughSandbox(a, { sandbox, user: 'carol', path: '/auth/wechat/mp' });
    expect(login.status).toBe(503);
    // What needs no database still answers.
    expect((await fetch(`${b}/health`)).status).toBe(200);
  });
});
