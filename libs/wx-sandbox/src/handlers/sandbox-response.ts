/** An answer computed before it is written, so latency and faults can hold it back. */
export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** WeChat's errcode when the answer is one of its errors, for the request log. */
  errcode?: number;
}

/** WeChat's back channel: HTTP 200 and a JSON body labelled `text/plain`, errors included. */
export function wxJson(body: object): SandboxResponse {
  const { errcode } = body as { errcode?: unknown };
  return {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify(body),
    ...(typeof errcode === 'number' && errcode !== 0 ? { errcode } : {}),
  };
}

/** A page; `errcode` when it is WeChat's error page for one of its errors. */
export function htmlPage(status: number, body: string, errcode?: number): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body,
    ...(errcode === undefined ? {} : { errcode }),
  };
}

/** A script, as res.wx.qq.com serves wxLogin.js. */
export function javascript(body: string): SandboxResponse {
  return {
    status: 200,
    headers: {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    },
    body,
  };
}

export function plainText(status: number, body: string): SandboxResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

export function redirectTo(location: string): SandboxResponse {
  return { status: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}
