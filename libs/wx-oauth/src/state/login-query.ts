import { WxOAuthError } from '../client/wx-oauth.error.js';

/** What the login routes read from their query: `returnTo` on the login start, WeChat's `code` and `state` on the callback. */
export interface WxLoginParams {
  code?: string;
  state?: string;
  returnTo?: string;
}

/**
 * The longest value each parameter may have. WeChat's codes are 32 characters
 * and its state at most 128 bytes; `returnTo` is a path of at most 2048 bytes.
 */
const MAX_LENGTH: Record<keyof WxLoginParams, number> = { code: 512, state: 128, returnTo: 2048 };
const NAMES = Object.keys(MAX_LENGTH) as (keyof WxLoginParams)[];
// `code[]=x`, `state[a]=x` or `state.a=x`: an array or object under qs, a literal key under node's parser.
const STRUCTURED_KEY = /^(code|state|returnTo)[[.]/;

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
      throw new WxOAuthError('invalid_request', `The login parameter ${name} is longer than ${MAX_LENGTH[name]} characters`);
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
    throw new WxOAuthError('invalid_request', `The login routes answer GET only, not ${method.slice(0, 16)}`);
  }
}

function malformed(name: string): WxOAuthError {
  // The key is the caller's text: quote a bounded part of it only.
  return new WxOAuthError('invalid_request', `The login parameter ${JSON.stringify(name.slice(0, 32))} must appear once, as plain text`);
}
