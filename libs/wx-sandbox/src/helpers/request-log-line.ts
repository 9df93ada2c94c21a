import { WX_ERRMSG } from '../model/wx-errors.js';
import type { WxSandboxRequestRecord } from '../wx-sandbox.types.js';

/**
 * A line of the command's request log: the time, method, path, app and outcome, e.g.
 * `14:03:27 GET /sns/oauth2/access_token appid=wx0sandbox0website -> 200 errcode=40029 (invalid code)`.
 * The record holds nothing secret; neither does the errmsg, from WeChat's table.
 */
export function requestLogLine(record: WxSandboxRequestRecord, at: Date = new Date()): string {
  const time = at.toTimeString().slice(0, 8);
  const app = record.appid === undefined ? '' : ` appid=${record.appid}`;
  const errmsg = record.errcode === undefined ? undefined : WX_ERRMSG[record.errcode];
  const error =
    record.errcode === undefined
      ? ''
      : ` errcode=${record.errcode}${errmsg === undefined ? '' : ` (${errmsg})`}`;
  return `${time} ${record.method} ${record.path}${app} -> ${record.status}${error}`;
}
