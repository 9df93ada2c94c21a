import { WECOM_ERRMSG } from '../model/wecom-errors.js';
import { WX_ERRMSG } from '../model/wx-errors.js';
import type { WxSandboxRequestRecord } from '../wx-sandbox.types.js';

/**
 * A line of the command's request log: the time, method, path, app and outcome, e.g.
 * `14:03:27 GET /sns/oauth2/access_token appid=wx0sandbox0website -> 200 errcode=40029 (invalid code)`.
 * The record holds nothing secret; neither does the errmsg, from WeChat's table (WeCom's for
 * WeCom's API, where some codes mean other things).
 */
export function requestLogLine(record: WxSandboxRequestRecord, at: Date = new Date()): string {
  const time = at.toTimeString().slice(0, 8);
  const app = record.appid === undefined ? '' : ` appid=${record.appid}`;
  const table = WECOM_API_PATHS.has(record.path) ? WECOM_ERRMSG : WX_ERRMSG;
  const errmsg = record.errcode === undefined ? undefined : table[record.errcode];
  const error =
    record.errcode === undefined
      ? ''
      : ` errcode=${record.errcode}${errmsg === undefined ? '' : ` (${errmsg})`}`;
  return `${time} ${record.method} ${record.path}${app} -> ${record.status}${error}`;
}

const WECOM_API_PATHS: ReadonlySet<string> = new Set([
  '/cgi-bin/gettoken',
  '/cgi-bin/auth/getuserinfo',
  '/cgi-bin/auth/getuserdetail',
  '/cgi-bin/user/get',
]);
