/**
 * Two demo processes (the built app) sharing one store, as behind a load
 * balancer, against a sandbox of the test's own holding the demo's apps, and
 * the logins a test drives through them over HTTP.
 */
import { fileURLToPath } from 'node:url';
import { CookieJar, WxSandbox } from 'nest-wx-oauth/testing';
import {
  DEMO_SANDBOX_APP_LIST,
  DEMO_SANDBOX_APPS,
} from '../../apps/demo/src/config/demo-sandbox.js';
import { startProcess, type Running } from './child-process.js';
import { freePort } from './free-port.js';
import { decideUrl } from './login-flow.js';

export { DEMO_SANDBOX_APPS };

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** A request the demo has not answered after this long is a hang. */
export const HANG_MS = 5_000;

const PUSH_TOKEN = 'demoInstancesPushToken';

/** A sandbox of the test's own holding the demo's apps. */
export function startDemoSandbox(): Promise<WxSandbox> {
  return WxSandbox.start({ apps: DEMO_SANDBOX_APP_LIST });
}

export interface DemoInstances {
  /** Instance A; logins start here. */
  a: string;
  /** Instance B: WeChat's callback and the official account's pushes reach this one. */
  b: string;
  /** Both processes' logs. */
  output(): string;
  stop(): Promise<void>;
}

export interface DemoInstancesOptions {
  /**
   * WeChat as the sandbox's one app for every browser login (`WX_SANDBOX_APPID`, a sandbox
   * started without apps) instead of the demo's apps and the official account's pushes.
   */
  oneApp?: boolean;
}

/** Starts instances A and B with the store that `storeEnv` (`REDIS_*`) names. */
export async function startDemoInstances(
  sandbox: WxSandbox,
  storeEnv: Record<string, string>,
  { oneApp = false }: DemoInstancesOptions = {},
): Promise<DemoInstances> {
  const ports = [await freePort(), await freePort()];
  const [a, b] = ports.map((port) => `http://127.0.0.1:${port}`);
  const wechat = oneApp
    ? { WX_SANDBOX_APPID: sandbox.appid, WX_SANDBOX_SECRET: sandbox.secret }
    : demoAppsEnv(sandbox);
  const running: Running[] = [];
  const stop = () => Promise.all(running.map((r) => r.stop())).then(() => undefined);
  try {
    for (const port of ports) {
      const env = {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        // The load balancer's one public callback URL, which happens to reach B.
        WX_CALLBACK_URL: `${b}/auth/wechat/callback`,
        WX_SANDBOX_URL: sandbox.url,
        ...wechat,
        SESSION_SECRET: 'demo-instances-session-secret-0123456789',
        // Each instance's users in its own memory: what is shared here is the store.
        DEMO_DB_FILE: ':memory:',
        ...storeEnv,
      };
      running.push(
        await startProcess(['node', 'dist/apps/demo/main.js'], {
          cwd: repo,
          env,
          ready: /Demo on .*tokens in Redis/,
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (!oneApp)
    sandbox.setMessagePush(DEMO_SANDBOX_APPS.officialAccount, {
      url: `${b}/wechat/events`,
      token: PUSH_TOKEN,
    });
  return { a, b, output: () => running.map((r) => r.output()).join('\n'), stop };
}

/** The demo's variables for the demo's apps in `sandbox`, and the official account's pushes. */
function demoAppsEnv(sandbox: WxSandbox): Record<string, string> {
  const secret = (kind: keyof typeof DEMO_SANDBOX_APPS) =>
    sandbox.app(DEMO_SANDBOX_APPS[kind]).secret;
  return {
    WX_SANDBOX_MP_APPID: DEMO_SANDBOX_APPS.officialAccount,
    WX_SANDBOX_MP_SECRET: secret('officialAccount'),
    WX_SANDBOX_WEB_APPID: DEMO_SANDBOX_APPS.website,
    WX_SANDBOX_WEB_SECRET: secret('website'),
    WX_SANDBOX_MINI_APPID: DEMO_SANDBOX_APPS.miniProgram,
    WX_SANDBOX_MINI_SECRET: secret('miniProgram'),
    WX_SANDBOX_MOBILE_APPID: DEMO_SANDBOX_APPS.mobileApp,
    WX_SANDBOX_MOBILE_SECRET: secret('mobileApp'),
    WX_SANDBOX_MULTIEND_APPID: DEMO_SANDBOX_APPS.multiEndApp,
    WX_SANDBOX_MULTIEND_SECRET: secret('multiEndApp'),
    WX_SANDBOX_MP_PUSH_TOKEN: PUSH_TOKEN,
    WX_SANDBOX_MP_PUSH_AES_KEY: 'plain',
  };
}

/** An HTTP answer; status 0 when there was none within `HANG_MS`. */
export interface Answer {
  status: number;
  location: string | null;
  setCookie: string[];
  body: any;
}

/** One request to the demo, bounded by `HANG_MS`, redirects not followed. */
export async function call(
  url: string,
  init: { method?: string; json?: unknown; cookie?: string; bearer?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.cookie) headers.cookie = init.cookie;
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  try {
    const res = await fetch(url, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      redirect: 'manual',
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // An HTML page.
    }
    return {
      status: res.status,
      location: res.headers.get('location'),
      setCookie: res.headers.getSetCookie(),
      body,
    };
  } catch {
    return { status: 0, location: null, setCookie: [], body: undefined };
  }
}

/** How a login ended: `done`, or the status of the step that failed (0: no answer in time). */
export interface Login {
  kind: string;
  done: boolean;
  status: number;
  /** The failed step's answer, for the test's message. */
  body?: unknown;
}

/** The browser login of the official account, started on A and landing on B. */
export interface BrowserLogin extends Login {
  session?: string;
  state?: string;
  /** The state cookie, for WeChat's callbacks sent again. */
  cookie?: string;
}

/** The logins of the demo's clients, each through both instances. */
export class DemoLogins {
  constructor(
    private readonly sandbox: WxSandbox,
    private readonly instances: DemoInstances,
  ) {}

  /** Starts on A, approves in the sandbox as `user`, lands on WeChat's callback on B. */
  async browser(user: string): Promise<BrowserLogin> {
    const { a } = this.instances;
    const start = await call(`${a}/auth/wechat/mp`);
    if (start.status !== 302) return failed('browser', start);
    const authorize = start.location!;
    const cookie = start.setCookie.map((c) => c.split(';')[0]).join('; ');
    const state = new URL(authorize.replace(/#.*$/, '')).searchParams.get('state')!;
    const approved = await call(decideUrl(authorize, this.sandbox.url, user, 'approve').toString());
    if (approved.status !== 302) return failed('browser', approved);
    const landed = await call(approved.location!, { cookie });
    if (landed.status !== 302 || landed.location !== '/profile') return failed('browser', landed);
    const session = landed.setCookie.find((c) => c.startsWith('demo_session='))!.split(';')[0];
    return { kind: 'browser', done: true, status: landed.status, session, state, cookie };
  }

  /** WeChat's callback for `login`'s state with a new code of `user`'s, on `url`. */
  callbackAgain(url: string, login: BrowserLogin, user: string): Promise<Answer> {
    const code = this.sandbox.issueCode(user, 'snsapi_userinfo', DEMO_SANDBOX_APPS.officialAccount);
    return call(`${url}/auth/wechat/callback?code=${code}&state=${login.state}`, {
      cookie: login.cookie,
    });
  }

  /** `wx.login()`'s code, posted to `url`. */
  async miniProgram(url: string, user: string): Promise<Login & { token?: string }> {
    const code = this.sandbox.wxLogin(user, DEMO_SANDBOX_APPS.miniProgram);
    const login = await call(`${url}/auth/wechat/miniprogram`, { json: { code } });
    return login.status === 200
      ? { kind: 'mini-program', done: true, status: 200, token: login.body.token }
      : failed('mini-program', login);
  }

  /**
   * The native app's login: a state issued on `issueOn`, the OpenSDK's code (or
   * the multi-end app's) posted with it to `loginOn`.
   */
  async app(
    issueOn: string,
    loginOn: string,
    user: string,
    multiEnd = false,
  ): Promise<Login & { state?: string }> {
    const kind = multiEnd ? 'multi-end app' : 'mobile app';
    const issued = await call(`${issueOn}/auth/wechat/app/state`, { json: {} });
    if (issued.status !== 200) return failed(kind, issued);
    const { state } = issued.body as { state: string };
    const code = multiEnd
      ? this.sandbox.identityCode({ user })
      : this.sandbox.appLogin({ user, state }).code;
    const login = await this.appWithState(loginOn, user, state, multiEnd, code);
    return login.status === 200
      ? { kind, done: true, status: 200, state }
      : { ...failed(kind, login), state };
  }

  /** The native app's login with a state it already has, spent or not. */
  appWithState(
    url: string,
    user: string,
    state: string,
    multiEnd = false,
    code = multiEnd
      ? this.sandbox.identityCode({ user })
      : this.sandbox.appLogin({ user, state }).code,
  ): Promise<Answer> {
    return call(`${url}/auth/wechat/app`, { json: { code, state, ...(multiEnd && { multiEnd }) } });
  }

  /** The follow login: the code shown on A, scanned (the push reaches B), finished on A. */
  async follow(user: string): Promise<Login & { done2?: Answer }> {
    const { a } = this.instances;
    const jar = new CookieJar();
    const shown = await call(`${a}/auth/wechat/follow`, { method: 'POST' });
    if (shown.status !== 201) return failed('follow', shown);
    jar.apply(shown.setCookie);
    const ticket = new URL(shown.body.imageUrl).searchParams.get('ticket')!;
    const scan = await this.sandbox.scan(ticket, user);
    if (!scan.answered) return { kind: 'follow', done: false, status: 0 };
    const done = await call(`${a}/auth/wechat/follow/done`, { cookie: jar.header() });
    if (done.status !== 302) return failed('follow', done);
    // The same browser again: the scene is used up.
    const again = await call(`${a}/auth/wechat/follow/done`, { cookie: jar.header() });
    return { kind: 'follow', done: true, status: 302, done2: again };
  }
}

function failed(kind: string, answer: Answer): Login {
  return { kind, done: false, status: answer.status, body: answer.body };
}
