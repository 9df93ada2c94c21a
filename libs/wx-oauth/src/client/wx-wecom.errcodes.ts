import type { WxErrcodes, WxOAuthErrorKind } from './wx-oauth.error.js';

// Codes from WeCom's documentation (developer.work.weixin.qq.com, 全局错误码).
const KINDS: Record<number, WxOAuthErrorKind> = {
  [-1]: 'busy',
  // gettoken's: WeCom's 40001 is a wrong secret, not a token.
  40001: 'app_config',
  40013: 'app_config',
  40056: 'app_config',
  41002: 'app_config',
  41004: 'app_config',
  48002: 'app_config',
  50001: 'app_config',
  60011: 'app_config',
  60020: 'app_config',
  40014: 'invalid_token',
  41001: 'invalid_token',
  42001: 'invalid_token',
  40029: 'invalid_code',
  41008: 'invalid_code',
  45009: 'quota',
};

const HINTS: Record<number, string> = {
  40001:
    "the secret is not this app's: copy the Secret from the app's page (应用管理) in the WeCom admin console",
  40013: 'the corpid is wrong: it is the 企业ID of 我的企业 in the WeCom admin console',
  40056:
    "the agentid is wrong: it is the AgentId on the app's page (应用管理) in the WeCom admin console",
  48002: 'the app may not call this API: check its permissions in the WeCom admin console',
  50001:
    "redirect_uri's host is not the app's trusted domain (可信域名): set it on the app's page in the WeCom admin console",
  60011:
    "the member is outside the app's visible range (可见范围), or the app lacks the permission",
};

/** The caller's IP, which WeCom names in its errmsg (`from ip: 203.0.113.7`). */
const FROM_IP = /from ip:\s*([0-9A-Fa-f.:]+)/;

/** WeCom's errcodes and what to set in its admin console for those that are the app's. */
export const WECOM_ERRCODES: WxErrcodes = {
  service: 'WeCom',
  kinds: KINDS,
  hint(errcode, rawErrmsg) {
    if (errcode !== 60020) return HINTS[errcode];
    const ip = FROM_IP.exec(rawErrmsg)?.[1];
    // Self-built apps created since 2022-06-20 answer every call so until the server's IP is listed.
    return `this server's IP${ip ? ` ${ip}` : ''} is not among the app's trusted IPs: add it in the WeCom admin console, on the app's page (应用管理 → 企业可信IP)`;
  },
};
