import type { WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';
import type { SandboxResponse } from './sandbox-response.js';

/**
 * What the sandbox's browser helpers share (the mini-program's and the native apps'
 * stand-ins, which WeChat has no such endpoints for): JSON answers a page on another origin
 * may read, the CORS preflight of its JSON POST, a 405 for the wrong method, and the checks
 * of the app and the test user a request names.
 */

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
};

function jsonHeaders(): Record<string, string> {
  return {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
}

/** A helper's answer: JSON, readable from any origin, never cached. */
export function helperJson(status: number, body: unknown): SandboxResponse {
  return { status, headers: jsonHeaders(), body: JSON.stringify(body) };
}

/**
 * The answer before the helper's own work: the CORS preflight to `OPTIONS`, a 405 `{error}`
 * to any method but `allowed`; `undefined` when the helper goes on.
 */
export function helperMethodCheck(
  method: string,
  allowed: 'GET' | 'POST',
): SandboxResponse | undefined {
  if (method === 'OPTIONS') return preflight();
  if (method === allowed) return undefined;
  return {
    ...helperJson(405, { error: `use ${allowed}` }),
    headers: { ...jsonHeaders(), allow: allowed },
  };
}

/** What a browser asks before a cross-origin POST with `content-type: application/json`. */
function preflight(): SandboxResponse {
  return {
    status: 204,
    headers: {
      ...CORS_HEADERS,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    },
    body: '',
  };
}

/** What the helpers look up: the registered apps, and the people as each app sees them. */
export interface HelperDirectory {
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  /** The people as `appid` sees them. */
  usersOf(appid: string): readonly WxSandboxUser[];
}

/** The app with this appid, when it is of the kind `fits` tells (`kind` names it), or why not. */
export function helperApp(
  appid: unknown,
  directory: HelperDirectory,
  kind: string,
  fits: (app: WxSandboxAppInfo) => boolean,
): WxSandboxAppInfo | string {
  if (typeof appid !== 'string' || !appid) return 'appid is required';
  const app = directory.app(appid);
  if (!app) return 'no app with this appid';
  return fits(app) ? app : `the appid is not ${kind}`;
}

/** The refusal of a `user` that is not one of `appid`'s test users. */
export const NOT_A_TEST_USER = 'user must be the key of a test user';

/** `key` when it is one of `appid`'s test users' keys, else `undefined`. */
export function helperUser(
  key: unknown,
  appid: string,
  directory: HelperDirectory,
): string | undefined {
  return typeof key === 'string' && directory.usersOf(appid).some((user) => user.key === key)
    ? key
    : undefined;
}
