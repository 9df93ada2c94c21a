import { WxOAuthError } from '../../client/wx-oauth.error.js';
import { loginBodyFields, WECHAT_CODE } from '../../http/login-body.js';

/**
 * What a native app posts to its login route: WeChat's code, the state the
 * server issued, and whether the code is a multi-end app's
 * (`wx.weixinAppLogin()` / `wx.getIdentityCode()`) rather than the OpenSDK's.
 *
 * @internal
 */
export interface WxAppLoginBody {
  code: string;
  state?: string;
  multiEnd: boolean;
}

/** The OpenSDK carries a state of up to 1 KB. */
const STATE = /^[\x21-\x7e]{1,1024}$/;
/** `multiEnd` as JSON or as a form field. */
const FLAGS = new Map<unknown, boolean>([
  [undefined, false],
  [false, false],
  [true, true],
  ['false', false],
  ['true', true],
  ['0', false],
  ['1', true],
]);

/** The login's body, JSON or a form, checked: `invalid_request` (400) naming what is wrong, never echoing it. */
export function readAppLoginBody(method: string | undefined, body: unknown): WxAppLoginBody {
  const { code, multiEnd, ...rest } = loginBodyFields(
    method,
    body,
    'app login',
    'a body {"code": "<WeChat code>", "state": "<issued state>", "multiEnd"?: true}, as JSON or a form',
  );
  // An empty form field is no state: the strategy refuses it as missing (401).
  const state = rest.state === '' ? undefined : rest.state;
  if (typeof code !== 'string' || !WECHAT_CODE.test(code))
    throw new WxOAuthError('invalid_request', 'code must be the code WeChat gave the app');
  if (state !== undefined && (typeof state !== 'string' || !STATE.test(state)))
    throw new WxOAuthError(
      'invalid_request',
      'state must be the state the server issued, as a string',
    );
  const isMultiEnd = FLAGS.get(multiEnd);
  if (isMultiEnd === undefined)
    throw new WxOAuthError('invalid_request', 'multiEnd must be true or false, or left out');
  return { code, ...(state === undefined ? {} : { state }), multiEnd: isMultiEnd };
}
