/** WeChat's back-channel errors, with the errmsg text WeChat sends (before its rid suffix). */
export const WX_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40006: 'invalid lang',
  40013: 'invalid appid',
  40029: 'invalid code',
  40030: 'invalid refresh_token',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist',
  // A high-risk user (高风险等级用户), whose mini-program or native-app login WeChat blocks.
  40226: 'code blocked',
  41001: 'access_token missing',
  41002: 'appid missing',
  41003: 'refresh_token missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  41009: 'missing openid',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  // The third-party platform's (component) API.
  61003: 'component is not authorized by this account',
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61009: 'code is invalid',
  61010: 'code is expired',
  61011: 'invalid component',
  61023: 'refresh_token is invalid',
  // The multi-end app's /donut/code2verifyinfo has errcodes of its own, its errmsgs in Chinese.
  10001000: 'code过期',
  10001001: 'code错误',
  10001002: 'appid错误',
  10001003: 'appsecret错误',
  10001004: 'grant_type错误',
};

/** The codes the sandbox answers by itself (faults may inject any other). */
export type WxErrcode =
  | 40001
  | 40002
  | 40003
  | 40006
  | 40013
  | 40029
  | 40030
  | 40125
  | 40163
  | 40226
  | 41001
  | 41002
  | 41003
  | 41004
  | 41008
  | 41009
  | 42001
  | 42002
  | 43001
  | 43002
  | 47001
  | 48001
  | 61003
  | 61005
  | 61006
  | 61009
  | 61010
  | 61011
  | 61023
  | 10001000
  | 10001001
  | 10001002
  | 10001003
  | 10001004;

export interface WxErrorBody {
  errcode: number;
  errmsg: string;
}

/** An error body as WeChat sends it: never compare errmsg for equality, it carries a rid. */
export function wxErrorBody(errcode: number, rid: string, errmsg?: string): WxErrorBody {
  return { errcode, errmsg: `${errmsg ?? WX_ERRMSG[errcode] ?? 'unknown error'}, rid: ${rid}` };
}
