/**
 * The sandbox command as a developer runs it, a process on its own: started with the message
 * push flags pointing at the app, its printout pasted into the app's `.env`, and a follow
 * login run through it as a browser and a phone would, with no code beyond the app's (the
 * README's controllers and `wxOAuthFromConfig()`). Its request log shows each call and
 * nothing secret. `npm test` builds the command first.
 */
import type { INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WxAppTokenService, WxOAuthModule } from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { CookieJar } from 'nest-wx-oauth/testing';
import type { CaptureLogger } from './support/capture-logger.js';
import { startProcess, type Running } from './support/child-process.js';
import {
  followLoginController,
  WechatEventsController,
  type WxFollowQrCode,
} from './support/follow-login.controllers.js';
import { freePort } from './support/free-port.js';
import { listenApp } from './support/listen-app.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const COMMAND = join(repo, 'libs/wx-sandbox/bin/nest-wx-oauth-sandbox.cjs');
const READY = /Press Ctrl\+C to stop\.\n/;

/** The `NAME=value` lines of the command's printout. */
const printedVariables = (output: string): Record<string, string> =>
  Object.fromEntries([...output.matchAll(/^ {2}([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));

/** The environment of a fresh shell: nothing of this repository's own WX_*, PORT or HOST. */
const shellEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(WX_|PORT$|HOST$|npm_)/.test(key)),
  );

/** A request with the headers a browser sends with a form of the page (fetch drops `Host`). */
function postForm(url: string, fields: Record<string, string>): Promise<string> {
  const { host, origin } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          host,
          origin,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/x-www-form-urlencoded',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(new URLSearchParams(fields).toString());
  });
}

describe('the sandbox command, a process, running a follow login for an app configured from its printout', () => {
  let sandbox: Running;
  let printed: Record<string, string>;
  let app: INestApplication;
  let logger: CaptureLogger;
  let appUrl: string;
  let workDir: string;
  /** What must never reach the request log, gathered as the login goes. */
  const unlogged: string[] = [];

  beforeAll(async () => {
    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    sandbox = await startProcess(
      [
        process.execPath,
        COMMAND,
        '--port',
        '0',
        '--mp-push-url',
        `${appUrl}/wechat/events`,
        '--callback-url',
        `${appUrl}/auth/wechat/callback`,
      ],
      { cwd: repo, env: shellEnv(), ready: READY },
    );
    printed = printedVariables(sandbox.output());

    // The printout, pasted into the app's .env as the README says.
    workDir = await mkdtemp(join(tmpdir(), 'wx-sandbox-command-'));
    const envFilePath = join(workDir, '.env');
    await writeFile(
      envFilePath,
      Object.entries(printed)
        .map(([name, value]) => `${name}=${value}\n`)
        .join(''),
    );
    ({ app, logger } = await listenApp(appPort, {
      imports: [
        ConfigModule.forRoot({ isGlobal: true, envFilePath }),
        WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
      ],
      controllers: [WechatEventsController, followLoginController('auth/wechat/follow')],
    }));
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await sandbox?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("prints every variable the follow login needs: the sandbox's URL for the QR image, the push's Token and key", () => {
    const sandboxUrl = printed.WX_API_BASE_URL;
    expect(sandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed).toMatchObject({
      WX_MP_APPID: 'wx0sandbox0official',
      WX_MP_SECRET: expect.stringMatching(/^[0-9a-f]{32}$/),
      WX_CALLBACK_URL: `${appUrl}/auth/wechat/callback`,
      WX_SCOPE: 'snsapi_userinfo',
      WX_OPEN_BASE_URL: sandboxUrl,
      WX_MP_BASE_URL: sandboxUrl,
      WX_MP_TOKEN: expect.stringMatching(/^[0-9a-f]{32}$/),
      WX_MP_AES_KEY: expect.stringMatching(/^[0-9a-f]{43}$/),
    });
    expect(sandbox.output()).toContain(
      `Message push (服务器配置): ${appUrl}/wechat/events, safe mode; ` +
        `check or change it at ${sandboxUrl}/sandbox/console/message-push`,
    );
  });

  it("shows the push on the sandbox's console page, whose URL check the app passes", async () => {
    const consoleUrl = `${printed.WX_API_BASE_URL}/sandbox/console/message-push`;
    const page = await (await fetch(consoleUrl)).text();
    expect(page).toContain(`已启用 · Pushing to ${appUrl}/wechat/events, 安全模式 · safe mode`);
    const checked = await postForm(consoleUrl, {
      appid: printed.WX_MP_APPID,
      action: 'check',
    });
    expect(checked).toContain('URL 验证通过 · The URL check passed');
  });

  it('logs a visitor in who scans the QR code on the sandbox: the push reaches the app, the page completes the login', async () => {
    const jar = new CookieJar();
    const call = async (path: string, method = 'GET') => {
      const cookie = jar.header();
      const res = await fetch(`${appUrl}${path}`, {
        method,
        redirect: 'manual',
        headers: cookie ? { cookie } : {},
      });
      jar.apply(res.headers.getSetCookie());
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    // The login page: a QR code whose image comes from the sandbox (WX_MP_BASE_URL).
    const started = await call('/auth/wechat/follow', 'POST');
    expect(started.status).toBe(201);
    const qr = started.body as unknown as WxFollowQrCode;
    expect(qr.imageUrl.startsWith(`${printed.WX_MP_BASE_URL}/cgi-bin/showqrcode?ticket=`)).toBe(
      true,
    );
    const image = await fetch(qr.imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/svg+xml');
    expect((await call('/auth/wechat/follow/status')).body).toEqual({ status: 'pending' });
    const ticket = new URL(qr.imageUrl).searchParams.get('ticket')!;

    // The phone: what the code holds opens the sandbox's scan page, where alice scans.
    expect(qr.url.startsWith(`${printed.WX_API_BASE_URL}/q/`)).toBe(true);
    const scanPage = await (await fetch(qr.url)).text();
    const action = /<form method="post" action="([^"]+)"/.exec(scanPage)?.[1];
    const qrId = /<input type="hidden" name="qr" value="([^"]+)">/.exec(scanPage)?.[1];
    expect(action).toBe('/sandbox/qrcode/scan');
    expect(scanPage).toContain('data-user="alice"');
    unlogged.push(ticket, encodeURIComponent(ticket), qrId!);
    const scanned = await fetch(`${printed.WX_API_BASE_URL}${action}`, {
      method: 'POST',
      body: new URLSearchParams({ qr: qrId!, user: 'alice' }),
    });
    const result = await scanned.text();
    expect(scanned.status).toBe(200);
    expect(result).toContain('data-answered="true"');
    expect(result).toContain('公众号已应答 · The app answered');
    expect(result).toContain('“登录成功”');

    // The login page again: the scan arrived, and the completion logs the visitor in, once.
    expect((await call('/auth/wechat/follow/status')).body).toEqual({ status: 'scanned' });
    const done = await call('/auth/wechat/follow/done');
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      provider: 'wechat',
      via: 'follow',
      appid: printed.WX_MP_APPID,
      openid: expect.any(String),
      unionid: expect.any(String),
    });
    expect((await call('/auth/wechat/follow/done')).status).toBe(401);

    unlogged.push(await app.get(WxAppTokenService).getToken(printed.WX_MP_APPID));
  });

  it('logged each request, method, path, app and outcome, and nothing secret', async () => {
    const closed = new Promise((resolve) => sandbox.child.once('close', resolve));
    expect(await sandbox.stop()).toEqual({ code: 0, signal: null });
    await closed;
    const log = sandbox.output().split(READY)[1];
    const appid = printed.WX_MP_APPID;
    for (const line of [
      `POST /cgi-bin/stable_token appid=${appid} -> 200`,
      `POST /cgi-bin/qrcode/create appid=${appid} -> 200`,
      `GET /cgi-bin/showqrcode appid=${appid} -> 200`,
      `GET /q/{id} appid=${appid} -> 200`,
      `POST /sandbox/qrcode/scan appid=${appid} -> 200`,
      `POST /sandbox/console/message-push appid=${appid} -> 200`,
    ]) {
      expect(log).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${escapeRegExp(line)}$`, 'm'));
    }
    const secrets = [
      ...Object.entries(printed)
        .filter(([name]) => /_(SECRET|TOKEN|AES_KEY)$/.test(name))
        .map(([, value]) => value),
      ...unlogged,
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const secret of secrets) {
      expect(log).not.toContain(secret);
      for (const line of logger.lines) expect(line).not.toContain(secret);
    }
    expect(log).not.toContain('?');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
