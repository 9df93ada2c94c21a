import { createServer, request as httpRequest, type RequestListener } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { CookieJar } from './cookie-jar.js';
import type { WxSandbox } from '../wx-sandbox.js';

export interface LoginThroughSandboxOptions {
  /** The sandbox the app under test is configured with (`apiBaseUrl` and `openBaseUrl`). */
  sandbox: WxSandbox;
  /**
   * The guarded route that starts the login, with any query (`'/auth/wechat?returnTo=/orders'`).
   * @default '/auth/wechat'
   */
  path?: string;
  /**
   * The test user who approves on the consent page (`'alice'`, `'bob'` ...), or, when the login
   * goes to the sandbox's WeCom pages, the person the WeCom client is signed in as
   * (`'zhangsan'`, `'guest'` ...), who agrees to share their details. Leave it out when the
   * sandbox was started with `autoApprove` (`weComAutoApprove` for WeCom).
   */
  user?: string;
  /** A `Cookie` header to send with every request to the app, e.g. an existing session. */
  cookie?: string;
  /**
   * The browser's User-Agent, sent to the app and to the sandbox: a `MicroMessenger` one
   * logs in as WeChat's in-app browser does (a two-app site then picks its official account).
   * @default 'node' (as Node's fetch)
   */
  userAgent?: string;
  /**
   * More headers to send with every request to the app, e.g. `{ authorization: 'Bearer …' }`.
   * A `host` is the Host header the app reads, while the requests still reach `app`: a tenant's
   * host (`{ host: 'acme.shop.localhost:3010' }`) starts the login and takes its callback.
   */
  headers?: Record<string, string>;
}

/**
 * The app under test as supertest takes it: its base URL, its server (what Nest's
 * `app.getHttpServer()` returns, also typed as supertest's `App`), or a request listener.
 */
export type SandboxLoginApp = string | Server | ((...args: never[]) => unknown);

/** The app's answer to the callback, the last step of the login. */
export interface SandboxLogin<TBody = unknown> {
  status: number;
  headers: Headers;
  /** The body as text. */
  text: string;
  /** The body parsed as JSON when the app answered JSON, else `undefined`. */
  body: TBody | undefined;
  /** Every cookie the app has set during the login and not expired, as one `Cookie` header. */
  cookie: string;
  /** The callback URL the sandbox sent the browser to, with `code` and `state`. */
  callbackUrl: string;
}

/**
 * Walks a browser's login from the app's guarded route through the sandbox's
 * authorize page back to the app's callback, carrying the app's cookies (the login's
 * state cookie must come back with the callback), and returns the callback's answer.
 * A WeCom login (the sandbox's in-client authorize page or its web login page) goes
 * through as `user`, signed in to the WeCom client, agreeing to share their details.
 *
 * `app` is the app's base URL, or its HTTP server (`app.getHttpServer()` in Nest),
 * listened on a free port for the login when it is not listening yet, as supertest does.
 * The callback is requested from `app`, whatever host the configured `callbackURL`
 * names, so tests can configure any `callbackURL`; a `host` in `headers` is the
 * Host header of every request to the app, the callback's included.
 */
export async function loginThroughSandbox<TBody = unknown>(
  app: SandboxLoginApp,
  options: LoginThroughSandboxOptions,
): Promise<SandboxLogin<TBody>> {
  const { sandbox, path = '/auth/wechat', user } = options;
  const target =
    typeof app === 'string'
      ? { url: app, close: async () => {} }
      : await listening(
          // supertest's App also types a listener for http2; node's http server runs it here.
          typeof app === 'function' ? createServer(app as unknown as RequestListener) : app,
        );
  const jar = new CookieJar(options.cookie);
  const extra = lowerCaseKeys(options.headers ?? {});
  const browser = { 'user-agent': options.userAgent ?? extra['user-agent'] ?? 'node' };
  const toApp = (url: URL) => {
    const cookie = jar.header();
    return get(url, { ...extra, ...browser, ...(cookie ? { cookie } : {}) });
  };
  const toSandbox = (url: URL) => get(url, browser);
  try {
    // 1. The guarded route redirects to WeChat's authorize page and sets the state cookie.
    const start = await toApp(new URL(path, target.url));
    jar.apply(start.headers.getSetCookie());
    const authorizeUrl = redirectTarget(start, `GET ${path}`).replace(/#.*$/, '');
    if (![sandbox.url, sandbox.publicUrl].some((base) => authorizeUrl.startsWith(`${base}/`))) {
      throw new Error(
        `GET ${path} redirected to ${authorizeUrl}, not to the sandbox: set openBaseUrl to sandbox.url`,
      );
    }

    // 2. The sandbox approves at once (autoApprove), or `user` approves on its consent page.
    const page = new URL(authorizeUrl);
    const callbackUrl = isWeComPage(page)
      ? await throughWeCom(page, user, toSandbox)
      : await throughWeChat(page, user, toSandbox);

    // 3. The callback, on the app under test, with the cookies of step 1.
    const callback = new URL(callbackUrl);
    const response = await toApp(new URL(callback.pathname + callback.search, target.url));
    jar.apply(response.headers.getSetCookie());
    const { text } = response;
    const json = /\bjson\b/.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: json ? (JSON.parse(text) as TBody) : undefined,
      cookie: jar.header(),
      callbackUrl,
    };
  } finally {
    await target.close();
  }
}

/** The sandbox's WeCom pages: the in-client authorize page (with an `agentid`), the web login page. */
function isWeComPage(page: URL): boolean {
  return (
    page.pathname === '/wwlogin/sso/login' ||
    (page.pathname === '/connect/oauth2/authorize' && page.searchParams.has('agentid'))
  );
}

/** WeChat's authorize page: approved at once (autoApprove), or by `user` on the consent page. */
async function throughWeChat(
  page: URL,
  user: string | undefined,
  toSandbox: (url: URL) => Promise<Answer>,
): Promise<string> {
  const authorize = await toSandbox(page);
  if (user === undefined)
    return redirectTarget(authorize, 'the sandbox (no autoApprove? pass `user`)');
  if (authorize.status !== 200)
    throw new Error(
      `the sandbox answered ${authorize.status} instead of its consent page; with autoApprove, leave out \`user\`${reasonOf(authorize)}`,
    );
  const decide = new URL('/connect/sandbox/decide', page);
  decide.search = page.search;
  decide.searchParams.append('decision', 'approve');
  decide.searchParams.append('user', user);
  return redirectTarget(await toSandbox(decide), `the sandbox's consent for '${user}'`);
}

/**
 * WeCom's pages: the client signed in as `user` (the pages' `sandbox_user`), agreeing to
 * share their details (`sandbox_consent`), or as the sandbox's `weComAutoApprove`.
 */
async function throughWeCom(
  page: URL,
  user: string | undefined,
  toSandbox: (url: URL) => Promise<Answer>,
): Promise<string> {
  if (user === undefined)
    return redirectTarget(
      await toSandbox(page),
      "the sandbox's WeCom page (no weComAutoApprove? pass `user`)",
    );
  const signedIn = new URL(page);
  signedIn.searchParams.set('sandbox_user', user);
  signedIn.searchParams.set('sandbox_consent', 'agree');
  return redirectTarget(await toSandbox(signedIn), `the sandbox's WeCom page for '${user}'`);
}

/** An answer, its body read. */
interface Answer {
  status: number;
  headers: Headers;
  url: string;
  text: string;
}

/**
 * A GET that sends `headers` as given, Host included: fetch drops a Host
 * header, and a tenant by host needs it. No redirect is followed, and no
 * connection kept, so that the app's server closes at once.
 */
function get(url: URL, headers: Record<string, string>): Promise<Answer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    request(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const answered = new Headers();
        const raw = response.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) answered.append(raw[i], raw[i + 1]);
        resolve({
          status: response.statusCode ?? 0,
          headers: answered,
          url: url.href,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** Headers by their lower-case names, as node sends them: one Host, one Cookie. */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function redirectTarget(response: Answer, what: string): string {
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location) {
    throw new Error(
      `${what} answered ${response.status} where a redirect was expected${reasonOf(response)}`,
    );
  }
  return new URL(location, response.url).href;
}

const REASON_CHARS = 300;

/**
 * What an answer says, for an error: a JSON error's `message` (an app's), else the text of its
 * body (a page's, its markup dropped), on one line and trimmed; empty for an empty body.
 */
function reasonOf({ text }: Answer): string {
  let reason = text;
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    if (typeof message === 'string' || Array.isArray(message)) reason = [message].flat().join('; ');
  } catch {
    reason = text
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ');
  }
  reason = reason.replace(/\s+/g, ' ').trim();
  if (!reason) return '';
  return `: ${reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS)}…` : reason}`;
}

/** A server the logins listen on for as long as one of them runs: concurrent logins share it. */
interface TemporaryListen {
  ready: Promise<void>;
  logins: number;
}
const temporaryListens = new WeakMap<Server, TemporaryListen>();

/**
 * The server's base URL; a server that is not listening yet listens on a free port until the
 * last of the logins that started it ends.
 */
async function listening(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  let listen = temporaryListens.get(server);
  if (!listen && !server.listening) {
    listen = {
      logins: 0,
      ready: new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
    };
    temporaryListens.set(server, listen);
  }
  if (listen) {
    listen.logins++;
    await listen.ready.catch((error: unknown) => {
      temporaryListens.delete(server);
      throw error;
    });
  }
  const { address, family, port } = server.address() as AddressInfo;
  const host =
    family === 'IPv6'
      ? address === '::'
        ? '[::1]'
        : `[${address}]`
      : address === '0.0.0.0'
        ? '127.0.0.1'
        : address;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      if (!listen || --listen.logins > 0) return;
      temporaryListens.delete(server);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
