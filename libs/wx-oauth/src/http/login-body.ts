import { WxOAuthError } from '../client/wx-oauth.error.js';

/** WeChat's codes are short printable ASCII; anything else never reaches WeChat. */
export const WECHAT_CODE = /^[\x21-\x7e]{1,256}$/;

/**
 * The fields a native client posted to its login route: `login` answers POST
 * only and takes an object (JSON or a form), else `invalid_request` (400)
 * naming what to send (`shape`), never echoing what came.
 */
export function loginBodyFields(
  method: string | undefined,
  body: unknown,
  login: string,
  shape: string,
): Record<string, unknown> {
  if (method !== undefined && method !== 'POST')
    throw new WxOAuthError(
      'invalid_request',
      `The ${login} answers POST only, not ${method.slice(0, 16)}`,
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new WxOAuthError('invalid_request', `The ${login} takes ${shape}`);
  return body as Record<string, unknown>;
}
