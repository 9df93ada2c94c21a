import { WxOAuthError } from '../../client/wx-oauth.error.js';

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

/** WeChat's codes are short printable ASCII; anything else never reaches WeChat. */
const CODE = /^[\x21-\x7e]{1,256}$/;

/** The login's JSON body, checked: `invalid_request` (400) naming what is wrong, never echoing it. */
export function readMiniProgramLoginBody(
  method: string | undefined,
  body: unknown,
): WxMiniProgramLoginBody {
  if (method !== undefined && method !== 'POST')
    throw new WxOAuthError(
      'invalid_request',
      `The mini-program login answers POST only, not ${method.slice(0, 16)}`,
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new WxOAuthError(
      'invalid_request',
      'The mini-program login takes a JSON body {"code": "<wx.login() code>", "phoneCode"?: "…"} sent as application/json',
    );
  const { code, phoneCode } = body as Record<string, unknown>;
  if (typeof code !== 'string' || !CODE.test(code))
    throw new WxOAuthError('invalid_request', 'code must be the code wx.login() gave');
  if (phoneCode !== undefined && (typeof phoneCode !== 'string' || !CODE.test(phoneCode)))
    throw new WxOAuthError(
      'invalid_request',
      "phoneCode must be the code of the getPhoneNumber button's event, or left out",
    );
  return phoneCode === undefined ? { code } : { code, phoneCode };
}
