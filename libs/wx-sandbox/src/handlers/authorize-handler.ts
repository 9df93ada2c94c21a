import {
  authorizeParams,
  callbackUrl,
  checkAuthorizeQuery,
  type AuthorizeRequest,
} from '../model/authorize-request.js';
import { consentPage } from '../pages/consent-page.js';
import { errorPage } from '../pages/error-page.js';
import { qrConnectPage } from '../pages/qr-connect-page.js';
import type { SandboxAppUsers } from '../model/sandbox-app-users.js';
import type { WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxGrants } from '../model/sandbox-grants.js';
import { htmlPage, redirectTo, type SandboxResponse } from './sandbox-response.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';
import type { SandboxComponents } from '../wx-sandbox.components.js';
import { onComponentDomain } from '../model/sandbox-components.js';
import type { AuthorizePageError } from '../model/authorize-request.js';

export interface AuthorizeContext {
  /** The registered apps, and the users as each app sees them. */
  apps: SandboxAppUsers;
  /** Base URL browsers reach the sandbox at: the QR code must work from another device. */
  publicUrl: string;
  autoApprove: string | false;
  grants: SandboxGrants;
  /** The third-party platforms, for web authorisation on a merchant's behalf. */
  components: SandboxComponents;
}

/** The permission set (func_info id) an official account grants a platform for web pages. */
const WEB_PAGES_FUNC = 4;

/** The front pages that start an authorisation: WeChat's two, and the sandbox's scan page. */
export type AuthorizePage = 'authorize' | 'qrconnect' | 'scan';

/** Path of the page a phone opens after scanning a qrconnect code. */
export const SCAN_PATH = '/connect/sandbox/scan';

/**
 * `/connect/oauth2/authorize`, `/connect/qrconnect` and `/connect/sandbox/scan`:
 * redirect at once when auto-approving, else ask (qrconnect asks through a QR code).
 */
export function handleAuthorize(
  page: AuthorizePage,
  query: URLSearchParams,
  context: AuthorizeContext,
): SandboxResponse {
  const check = checkAuthorizeQuery(page, query, appLookup(context));
  if (!check.ok) return htmlPage(400, errorPage(check.error), check.error.errcode);
  const { request } = check;
  const refused = componentRefusal(request, context);
  if (refused) return htmlPage(400, errorPage(refused), refused.errcode);
  const appName = appNameOf(context, request.appid);
  const approver =
    context.autoApprove === false
      ? undefined
      : findUser(context, request.appid, context.autoApprove);
  if (approver) {
    const code = issueCode(context, request, approver);
    return redirectTo(approvedUrl(request, code));
  }
  if (page === 'qrconnect') {
    return htmlPage(200, qrConnectPage({ appName, scanUrl: scanUrl(context.publicUrl, request) }));
  }
  return htmlPage(
    200,
    consentPage({ appName, endpoint: page, request, users: context.apps.usersOf(request.appid) }),
  );
}

/** `/connect/sandbox/decide`: the consent form's answer. A denial comes back with state only. */
export function handleDecide(query: URLSearchParams, context: AuthorizeContext): SandboxResponse {
  const check = checkAuthorizeQuery('decide', query, appLookup(context));
  if (!check.ok) return htmlPage(400, errorPage(check.error), check.error.errcode);
  const { request } = check;
  const refused = componentRefusal(request, context);
  if (refused) return htmlPage(400, errorPage(refused), refused.errcode);
  const decision = query.get('decision');
  if (decision === 'deny')
    return redirectTo(callbackUrl(request.redirectUri, withState([], request.state)));
  if (decision !== 'approve')
    return htmlPage(400, errorPage({ message: 'decision 必须是 approve 或 deny' }));
  const user = findUser(context, request.appid, query.get('user') ?? '');
  if (!user) return htmlPage(400, errorPage({ message: '未知的测试用户' }));
  const code = issueCode(context, request, user);
  return redirectTo(approvedUrl(request, code));
}

/** The scan page for this request, its parameters in WeChat's order so it validates like the original. */
export function scanUrl(publicUrl: string, request: AuthorizeRequest): string {
  return `${publicUrl}${SCAN_PATH}?${new URLSearchParams(authorizeParams(request))}`;
}

/**
 * The callback with a fresh code: `redirect_uri?code=…&state=…`, and `&appid=…` (the
 * merchant's) when a platform logs the user in on its behalf.
 */
export function approvedUrl(request: AuthorizeRequest, code: string): string {
  const params = withState([['code', code]], request.state);
  if (request.componentAppid !== undefined) params.push(['appid', request.appid]);
  return callbackUrl(request.redirectUri, params);
}

/** A code for the app's own exchange, or for the platform's on its behalf. */
function issueCode(
  context: AuthorizeContext,
  request: AuthorizeRequest,
  user: WxSandboxUser,
): string {
  return context.grants.issueCode(request.appid, user, request.scope, request.componentAppid);
}

/**
 * Why WeChat will not log the user in for a platform: it is unknown, the account is not (or
 * no longer) authorised to it or without its web-page permissions, or the `redirect_uri` is
 * off the platform's domain. `undefined` for the app's own login.
 */
function componentRefusal(
  request: AuthorizeRequest,
  context: AuthorizeContext,
): AuthorizePageError | undefined {
  if (request.componentAppid === undefined) return undefined;
  const component = context.components.get(request.componentAppid);
  if (!component) return { message: 'component_appid 无效 · invalid component' };
  const authorization = context.components.grants.authorization(component.appid, request.appid);
  if (!authorization)
    return {
      message: '该公众号未授权给此第三方平台 · the account is not authorised to this platform',
    };
  if (!authorization.funcInfo.includes(WEB_PAGES_FUNC))
    return { message: '此公众号并没有这些scope的权限', errcode: 10005 };
  if (!onComponentDomain(component, request.redirectUri))
    return { message: 'redirect_uri 域名与后台配置不一致', errcode: 10003 };
  return undefined;
}

export function appLookup(
  context: AuthorizeContext,
): (appid: string) => WxSandboxAppInfo | undefined {
  return (appid) => context.apps.app(appid);
}

export function appNameOf(context: AuthorizeContext, appid: string): string {
  return context.apps.app(appid)?.name ?? '';
}

export function findUser(
  context: AuthorizeContext,
  appid: string,
  key: string,
): WxSandboxUser | undefined {
  return context.apps.user(appid, key);
}

function withState(
  params: Array<[string, string]>,
  state: string | undefined,
): Array<[string, string]> {
  return state === undefined ? params : [...params, ['state', state]];
}
