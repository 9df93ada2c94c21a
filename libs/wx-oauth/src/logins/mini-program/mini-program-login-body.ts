import { WxOAuthError } from '../../client/wx-oauth.error.js';
import { loginBodyFields, WECHAT_CODE } from '../../http/login-body.js';

/**
 * What a mini-program posts to its login route: `wx.login()`'s code and,
 * optionally, the `getPhoneNumber` button's.
 *
 * @internal
 */
export interface WxMiniProgramLoginBody {
  code: string;
  phoneCode?: string;
}

/** The login's JSON body, checked: `invalid_request` (400) naming what is wrong, never echoing it. */
export function readMiniProgramLoginBody(
  method: string | undefined,
  body: unknown,
): WxMiniProgramLoginBody {
  const { code, phoneCode } = loginBodyFields(
    method,
    body,
    'mini-program login',
    'a JSON body {"code": "<wx.login() code>", "phoneCode"?: "…"} sent as application/json',
  );
  if (typeof code !== 'string' || !WECHAT_CODE.test(code))
    throw new WxOAuthError('invalid_request', 'code must be the code wx.login() gave');
  if (phoneCode !== undefined && (typeof phoneCode !== 'string' || !WECHAT_CODE.test(phoneCode)))
    throw new WxOAuthError(
      'invalid_request',
      "phoneCode must be the code of the getPhoneNumber button's event, or left out",
    );
  return phoneCode === undefined ? { code } : { code, phoneCode };
}
