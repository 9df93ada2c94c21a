import { WxOAuthError } from './wx-oauth.error.js';
import { WX_SCOPES, type WxAuthorizeParams, type WxScope } from './wx-oauth.types.js';

const STATE_PATTERN = /^[A-Za-z0-9]{1,128}$/;

/**
 * Builds WeChat's authorize URL. WeChat matches the link with a strict pattern:
 * the parameters must come in the order appid, redirect_uri, response_type,
 * scope, state, and `#wechat_redirect` must end it, or the page will not open.
 * A generic OAuth builder (`client_id`, another order) breaks it.
 */
export function buildWxAuthorizeUrl(
  openBaseUrl: string,
  appid: string,
  redirectUri: string,
  scope: WxScope,
  params: WxAuthorizeParams = {},
  /** The third-party platform's appid, for a login on its behalf. */
  componentAppid?: string,
): string {
  assertAbsoluteHttpUrl(redirectUri);
  if (!WX_SCOPES.includes(scope)) {
    throw new WxOAuthError(
      'invalid_request',
      `Unknown scope "${String(scope)}"; use one of ${WX_SCOPES.join(', ')}`,
    );
  }
  const { state, forcePopup, forceSnapShot } = params;
  if (state !== undefined && !STATE_PATTERN.test(state)) {
    throw new WxOAuthError('invalid_request', 'state must be 1 to 128 characters of [A-Za-z0-9]');
  }

  // snsapi_login is the website QR login; the other two are official-account pages.
  const path = scope === 'snsapi_login' ? '/connect/qrconnect' : '/connect/oauth2/authorize';
  const query: [string, string][] = [
    ['appid', appid],
    ['redirect_uri', redirectUri],
    ['response_type', 'code'],
    ['scope', scope],
  ];
  if (state !== undefined) query.push(['state', state]);
  if (forcePopup !== undefined) query.push(['forcePopup', String(forcePopup)]);
  if (forceSnapShot !== undefined) query.push(['forceSnapShot', String(forceSnapShot)]);
  // Left out, WeChat treats the login as the merchant's own and asks for its secret at the exchange.
  if (componentAppid !== undefined) query.push(['component_appid', componentAppid]);

  const search = query.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${openBaseUrl.replace(/\/+$/, '')}${path}?${search}#wechat_redirect`;
}

function assertAbsoluteHttpUrl(redirectUri: string): void {
  let url: URL | undefined;
  try {
    url = new URL(redirectUri);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new WxOAuthError('invalid_request', 'redirectUri must be an absolute http(s) URL');
  }
}
