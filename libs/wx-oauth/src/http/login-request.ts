import type { IncomingMessage, ServerResponse } from 'node:http';
import { WxOAuthError } from '../client/wx-oauth.error.js';

/**
 * A login request as passport hands it to the strategy: Express's request, or
 * Fastify's (which keeps node's as `raw`). `res` is Express's own link to the
 * response; `linkResponse` makes the same link on Fastify.
 */
export type LoginRequest = Pick<IncomingMessage, 'headers' | 'method'> & {
  query?: unknown;
  originalUrl?: string;
  url?: string;
  res?: ServerResponse;
  /** The host as Express 5 and Fastify read it: X-Forwarded-Host only where the app trusts its proxy. */
  host?: unknown;
  /** The client's address as Express and Fastify read it: X-Forwarded-For only where the app trusts its proxy. */
  ip?: unknown;
};

/** What the login routes read from their query: `returnTo` on the login start, WeChat's `code` and `state` on the callback. */
export interface WxLoginParams {
  code?: string;
  state?: string;
  returnTo?: string;
  /** An OAuth2 error: WeChat sends none, so a callback that has one is a denial. */
  error?: string;
  /** The merchant's appid WeChat adds to the callback of a login on a third-party platform's behalf. */
  appid?: string;
}

/**
 * The longest value each parameter may have. WeChat's codes are 32 characters
 * and its state at most 128 bytes; `returnTo` is a path of at most 2048 bytes.
 */
const MAX_LENGTH: Record<keyof WxLoginParams, number> = {
  code: 512,
  state: 128,
  returnTo: 2048,
  error: 256,
  appid: 64,
};
const NAMES = Object.keys(MAX_LENGTH) as (keyof WxLoginParams)[];
// `code[]=x`, `state[a]=x` or `state.a=x`: an array or object under qs, a literal key under node's parser.
const STRUCTURED_KEY = /^(code|state|returnTo|error|appid)[[.]/;

/**
 * Reads the login parameters from a query as Express (either query parser) or
 * Fastify parsed it. A repeated parameter (`code=a&code=b`), a bracketed one
 * (`code[]=`, `state[a]=`) or an oversized value throws `invalid_request`
 * (400), so that nothing ambiguous reaches the state check or WeChat. Other
 * parameters, like those WeChat adds to its re-request, are ignored.
 */
export function readLoginQuery(query: unknown): WxLoginParams {
  if (query === undefined || query === null) return {};
  if (typeof query !== 'object') throw malformed('the query');
  const params: WxLoginParams = {};
  for (const [key, value] of Object.entries(query)) {
    if (STRUCTURED_KEY.test(key)) throw malformed(key);
    const name = NAMES.find((known) => known === key);
    if (!name || value === undefined) continue;
    if (typeof value !== 'string') throw malformed(name);
    if (value.length > MAX_LENGTH[name]) {
      throw new WxOAuthError(
        'invalid_request',
        `The login parameter ${name} is longer than ${MAX_LENGTH[name]} characters`,
      );
    }
    params[name] = value;
  }
  return params;
}

/**
 * The login routes answer GET only. Express and Fastify also run a GET route
 * for HEAD, which a link previewer sends: it must not start a login or spend a
 * code.
 */
export function assertLoginMethod(method: string | undefined): void {
  if (method !== undefined && method !== 'GET') {
    throw new WxOAuthError(
      'invalid_request',
      `The login routes answer GET only, not ${method.slice(0, 16)}`,
    );
  }
}

/**
 * The callback is recognised by its route, so a login route's own `state` or
 * `code` parameter starts a login as usual. A proxy that strips a path prefix
 * (`/api/auth/wechat/callback` reaching the app as `/auth/wechat/callback`)
 * still matches: the request path is then a suffix of the callback's.
 */
export function isCallbackRoute(req: LoginRequest, callbackPath: string): boolean {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  const path = trimSlash(query === -1 ? url : url.slice(0, query));
  return path === callbackPath || (path.length > 1 && callbackPath.endsWith(path));
}

/**
 * On a developer's machine, a login started on another host than the
 * callback's (`127.0.0.1` and `localhost`) fails after WeChat: the browser
 * keeps the state cookie on the host that set it, whatever the port. Refused
 * before WeChat, naming both hosts, quoted.
 */
export function assertCallbackHost(req: LoginRequest, callbackURL: string): void {
  const host = hostOf(req);
  const callbackHost = new URL(callbackURL).hostname;
  if (!host || hostnameOf(host) === callbackHost) return;
  throw new WxOAuthError(
    'invalid_request',
    `This login started on ${JSON.stringify(host)}, but the callback URL is on ${JSON.stringify(callbackHost)}: ` +
      `the browser would not bring the login's cookie back. Open the site on ${callbackHost}, or set the ` +
      'callback URL to this host. (Checked when NODE_ENV is unset or development.)',
  );
}

/**
 * The request's host with its port, lower-case and bounded (it is the
 * caller's text). Express 5 (`req.host`) and Fastify (`request.host`) read
 * X-Forwarded-Host only where the app trusts its proxy (`trust proxy`,
 * `trustProxy`); node's own request has the Host header only.
 */
export function hostOf(req: LoginRequest): string | undefined {
  const host = typeof req.host === 'string' ? req.host : req.headers.host;
  return host?.toLowerCase().slice(0, 255);
}

/** The client's IP address, as the framework reads it (behind a proxy, only where the app trusts it). */
export function clientAddressOf(req: LoginRequest): string {
  return typeof req.ip === 'string' ? req.ip : (nodeRequest(req).socket?.remoteAddress ?? '');
}

/** `localhost:3000` → `localhost`, `[::1]:3000` → `[::1]`; undefined when it is no host. */
function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/** The route of a callback URL, as `isCallbackRoute` compares it. */
export function callbackPathOf(callbackURL: string): string {
  return trimSlash(new URL(callbackURL).pathname);
}

/** Node's request: Express's is one; Fastify's wraps it as `raw`. */
export function nodeRequest(req: object): IncomingMessage {
  return (req as { raw?: IncomingMessage }).raw ?? (req as IncomingMessage);
}

/** Node's response: Express's is one; Fastify's reply wraps it as `raw`. */
export function nodeResponse(res: object): ServerResponse {
  return (res as { raw?: ServerResponse }).raw ?? (res as ServerResponse);
}

/**
 * Links a request to node's response, where the state cookie is set: Express
 * links its own (`req.res`), Fastify's request has no link, so `WxAuthGuard`
 * makes it before passport runs.
 */
export function linkResponse(req: object, res: ServerResponse): void {
  if (!(req as LoginRequest).res)
    Object.defineProperty(req, 'res', { value: res, configurable: true });
}

/** The response linked to a login request; a plain `AuthGuard('wechat')` on Fastify has none. */
export function responseOf(req: LoginRequest): ServerResponse {
  if (!req.res)
    throw new Error(
      'The WeChat strategies need the response: on Fastify, guard the route with WxAuthGuard, not a plain AuthGuard',
    );
  return req.res;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function malformed(name: string): WxOAuthError {
  // The key is the caller's text: quote a bounded part of it only.
  return new WxOAuthError(
    'invalid_request',
    `The login parameter ${JSON.stringify(name.slice(0, 32))} must appear once, as plain text`,
  );
}
