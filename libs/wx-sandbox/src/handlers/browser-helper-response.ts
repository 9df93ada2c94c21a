import type { SandboxResponse } from './sandbox-response.js';

/**
 * What the sandbox's browser helpers share (the mini-program's and the native apps'
 * stand-ins, which WeChat has no such endpoints for): JSON answers a page on another origin
 * may read, the CORS preflight of its JSON POST, and a 405 for the wrong method.
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
