import type { WxSandboxAppInfo } from './sandbox-apps.js';
import type { WxSandboxScope } from '../wx-sandbox.types.js';

/** The two authorize pages, plus the sandbox's own scan page and consent form target. */
export type AuthorizeEndpoint = 'authorize' | 'qrconnect' | 'scan' | 'decide';

/** A validated authorize request. */
export interface AuthorizeRequest {
  appid: string;
  /** Decoded once, normalised as a browser would follow it. */
  redirectUri: string;
  scope: WxSandboxScope;
  /** `undefined` when none was sent; `''` when sent empty. */
  state: string | undefined;
  /**
   * A third-party platform logging the user in on the app's behalf (web authorisation on
   * `/connect/oauth2/authorize`); `undefined` for the app's own login.
   */
  componentAppid?: string;
}

/** What WeChat's HTML error page says; some messages come without a code. */
export interface AuthorizePageError {
  errcode?: number;
  message: string;
}

export type AuthorizeCheck =
  { ok: true; request: AuthorizeRequest } | { ok: false; error: AuthorizePageError };

/** WeChat matches the link with a strict regex: these must come first and in this order. */
const PARAM_ORDER = ['appid', 'redirect_uri', 'response_type', 'scope', 'state'];

const ENDPOINT_SCOPES: Record<AuthorizeEndpoint, readonly WxSandboxScope[]> = {
  authorize: ['snsapi_base', 'snsapi_userinfo'],
  qrconnect: ['snsapi_login'],
  // What the phone opens after scanning a qrconnect code.
  scan: ['snsapi_login'],
  decide: ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'],
};

const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;

/** The registered apps by appid; a bare appid stands for one app that may use every scope. */
export type AuthorizeApps =
  string | ((appid: string) => Pick<WxSandboxAppInfo, 'appid' | 'scopes'> | undefined);

export interface AuthorizeCheckOptions {
  /**
   * The iframe of wxLogin.js (`login_type=jssdk`): its script builds the query in its own
   * order (`appid, scope, redirect_uri, state, ...`) and without `response_type`.
   */
  jssdk?: boolean;
}

/** Checks an authorize query as WeChat does, first failure wins. */
export function checkAuthorizeQuery(
  endpoint: AuthorizeEndpoint,
  query: URLSearchParams,
  apps: AuthorizeApps,
  options: AuthorizeCheckOptions = {},
): AuthorizeCheck {
  const fail = (message: string, errcode?: number): AuthorizeCheck => ({
    ok: false,
    error: { errcode, message },
  });

  if (!options.jssdk && !hasWeChatOrder([...query.keys()]))
    return fail('Scope 参数错误或没有 Scope 权限');
  const appid = query.get('appid') ?? '';
  const app =
    typeof apps === 'string'
      ? appid === apps
        ? { appid, scopes: ENDPOINT_SCOPES.decide }
        : undefined
      : apps(appid);
  if (!appid || !app) return fail('appid 无效', 10016);

  const redirectUri = query.get('redirect_uri');
  if (!redirectUri) return fail('redirect_uri 参数不能为空', 10011);
  const redirect = parseHttpUrl(redirectUri);
  if (!redirect) return fail('redirect_uri 域名与后台配置不一致', 10003);

  if (!options.jssdk && query.get('response_type') !== 'code')
    return fail('response_type 参数错误');

  const scope = query.get('scope');
  if (!scope) return fail('scope不能为空', 10010);
  const allowed = ENDPOINT_SCOPES[endpoint].find((candidate) => candidate === scope);
  if (!allowed) return fail('此公众号并没有这些scope的权限', 10005);
  // The wrong kind of app for the flow: an official account on qrconnect, a website app
  // on oauth2/authorize. WeChat shows its error page and never goes back to the site.
  if (!app.scopes.includes(allowed)) {
    return allowed === 'snsapi_login'
      ? fail('Scope 参数错误或没有 Scope 权限', 10005)
      : fail('此公众号并没有这些scope的权限', 10005);
  }

  const state = query.get('state') ?? undefined;
  if (state !== undefined && !STATE_PATTERN.test(state))
    return fail('state 参数错误 (a-zA-Z0-9, 最多 128 字节)');

  const componentAppid = query.get('component_appid') ?? undefined;
  if (componentAppid !== undefined && endpoint !== 'authorize' && endpoint !== 'decide')
    return fail('component_appid 参数错误');
  return {
    ok: true,
    request: {
      appid,
      redirectUri: redirect.href,
      scope: allowed,
      state,
      ...(componentAppid === undefined ? {} : { componentAppid }),
    },
  };
}

/** The request's parameters in WeChat's order, as links and forms that carry it on must send them. */
export function authorizeParams(request: AuthorizeRequest): Array<[string, string]> {
  const params: Array<[string, string]> = [
    ['appid', request.appid],
    ['redirect_uri', request.redirectUri],
    ['response_type', 'code'],
    ['scope', request.scope],
  ];
  if (request.state !== undefined) params.push(['state', request.state]);
  if (request.componentAppid !== undefined)
    params.push(['component_appid', request.componentAppid]);
  return params;
}

/**
 * `appid` first, and the known parameters that are present appear once each and in
 * WeChat's order; others (forcePopup, forceSnapShot, connect_redirect ...) are let be.
 */
export function hasWeChatOrder(keys: readonly string[]): boolean {
  if (keys[0] !== 'appid') return false;
  const positions = keys.map((key) => PARAM_ORDER.indexOf(key)).filter((position) => position >= 0);
  return positions.every((position, i) => i === 0 || position > positions[i - 1]);
}

/**
 * The callback WeChat redirects to: `code`/`state` appended to redirect_uri's own
 * query (with `&` when it has one), before any fragment.
 */
export function callbackUrl(
  redirectUri: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  if (params.length === 0) return redirectUri;
  const hashAt = redirectUri.indexOf('#');
  const base = hashAt < 0 ? redirectUri : redirectUri.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : redirectUri.slice(hashAt);
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  const query = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${base}${separator}${query}${fragment}`;
}

function parseHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
