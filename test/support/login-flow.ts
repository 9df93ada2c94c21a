import request from 'supertest';

/** What a browser keeps between the app and WeChat: the state cookie. */
export interface StartedLogin {
  authorizeUrl: string;
  state: string;
  cookie: string;
  setCookie: string[];
}

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Record<string, unknown>;
}

const responses: Exchange[] = [];

/** Every app response the suite saw, for the no-secret-anywhere assertion. */
export function recordedResponses(): readonly Exchange[] {
  return responses;
}

/** Every app response the suite saw (headers and body) and every line `loggers` kept: where no secret may show. */
export function responsesAndLogs(loggers: readonly { lines: readonly string[] }[]): string[] {
  return [
    ...responses.map((r) => JSON.stringify(r.headers) + r.text),
    ...loggers.flatMap((l) => l.lines),
  ];
}

/** GETs a path of the app, without following redirects. */
export async function get(appUrl: string, path: string, cookie?: string): Promise<Exchange> {
  const call = request(appUrl).get(path).redirects(0);
  const res = await (cookie ? call.set('Cookie', cookie) : call);
  const exchange = {
    status: res.status,
    headers: res.headers,
    text: res.text,
    body: res.body as Record<string, unknown>,
  };
  responses.push(exchange);
  return exchange;
}

/** Starts a login on the app: a 302 to WeChat and a state cookie. */
export async function startLogin(appUrl: string, path = '/auth/wechat'): Promise<StartedLogin> {
  const res = await get(appUrl, path);
  if (res.status !== 302) throw new Error(`login start answered ${res.status}: ${res.text}`);
  const authorizeUrl = String(res.headers.location);
  const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  return { authorizeUrl, state, cookie, setCookie };
}

/** Lets the sandbox answer the authorize URL (auto-approve or a decision) and returns the callback URL. */
export async function authorize(url: string): Promise<URL> {
  const res = await fetch(url.replace(/#.*$/, ''), { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`sandbox answered ${res.status}: ${await res.text()}`);
  return new URL(location);
}

/** The URL the sandbox's consent form submits for `user` and `decision`, from an authorize URL. */
export function decideUrl(
  authorizeUrl: string,
  sandboxUrl: string,
  user: string,
  decision: 'approve' | 'deny',
): URL {
  const decide = new URL('/connect/sandbox/decide', sandboxUrl);
  new URL(authorizeUrl.replace(/#.*$/, '')).searchParams.forEach((value, key) =>
    decide.searchParams.append(key, value),
  );
  decide.searchParams.set('user', user);
  decide.searchParams.set('decision', decision);
  return decide;
}

/** Start, approve in the sandbox, and land on the callback: the whole redirect dance. */
export async function login(
  appUrl: string,
  path?: string,
): Promise<{ started: StartedLogin; callback: Exchange; callbackUrl: URL }> {
  const started = await startLogin(appUrl, path);
  const callbackUrl = await authorize(started.authorizeUrl);
  const callback = await get(appUrl, callbackUrl.pathname + callbackUrl.search, started.cookie);
  return { started, callback, callbackUrl };
}
