import { randomBytes } from 'node:crypto';

/** WeCom's API errors, with the errmsg text WeCom sends (before its hint suffix). */
export const WECOM_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'invalid secret',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40056: 'invalid agentid',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'secret missing',
  41008: 'missing code',
  41009: 'missing userid',
  42001: 'access_token expired',
  43002: 'require POST method',
  47001: 'data format error',
  60011: 'no privilege to access/modify contact/party/agent',
  60020: 'not allow to access from your ip',
  60111: 'userid not found',
};

/** The codes the sandbox answers by itself (faults may inject any other). */
export type WeComErrcode =
  | 40001
  | 40013
  | 40014
  | 40029
  | 41001
  | 41002
  | 41004
  | 41008
  | 41009
  | 42001
  | 43002
  | 47001
  | 60011
  | 60020
  | 60111;

/**
 * An error body as WeCom sends it: the text, then a hint, the caller's IP and where to look
 * the code up (never compare errmsg for equality).
 */
export function weComErrorBody(
  errcode: number,
  nowMs: number,
  ip: string,
  errmsg?: string,
): { errcode: number; errmsg: string } {
  const hint = `${Math.floor(nowMs / 1000)}_${randomBytes(6).toString('hex')}`;
  return {
    errcode,
    errmsg:
      `${errmsg ?? WECOM_ERRMSG[errcode] ?? 'unknown error'}, hint: [${hint}], from ip: ${ip}, ` +
      `more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  };
}

/** The address a request came from, as WeCom names it: IPv4 without the IPv6 mapping. */
export function callerIp(remoteAddress: string | undefined): string {
  return (remoteAddress ?? '').replace(/^::ffff:/, '') || 'unknown';
}
