import { authorizeParams, callbackUrl, checkAuthorizeQuery, type AuthorizeRequest } from './authorize-request.js';
import { consentPage } from './consent-page.js';
import { errorPage } from './error-page.js';
import { qrConnectPage } from './qr-connect-page.js';
import type { SandboxGrants } from './sandbox-grants.js';
import { htmlPage, redirectTo, type SandboxResponse } from './sandbox-response.js';
import type { WxSandboxUser } from './wx-sandbox.types.js';

export interface AuthorizeContext {
  appid: string;
  appName: string;
  /** Base URL browsers reach the sandbox at: the QR code must work from another device. */
  publicUrl: string;
  users: readonly WxSandboxUser[];
  autoApprove: string | false;
  grants: SandboxGrants;
}

/** The front pages that start an authorisation: WeChat's two, and the sandbox's scan page. */
export type AuthorizePage = 'authorize' | 'qrconnect' | 'scan';

/** Path of the page a phone opens after scanning a qrconnect code. */
export const SCAN_PATH = '/connect/sandbox/scan';

/**
 * `/connect/oauth2/authorize`, `/connect/qrconnect` and `/connect/sandbox/scan`:
 * redirect at once when auto-approving, else ask (qrconnect asks through a QR code).
 */
export function handleAuthorize(page: AuthorizePage, query: URLSearchParams, context: AuthorizeContext): SandboxResponse {
  const check = checkAuthorizeQuery(page, query, context.appid);
  if (!check.ok) return htmlPage(400, errorPage(check.error));
  const { request } = check;
  const approver = context.autoApprove === false ? undefined : findUser(context, context.autoApprove);
  if (approver) {
    const code = context.grants.issueCode(approver, request.scope);
    return redirectTo(callbackUrl(request.redirectUri, withState([['code', code]], request.state)));
  }
  if (page === 'qrconnect') {
    return htmlPage(200, qrConnectPage({ appName: context.appName, scanUrl: scanUrl(context.publicUrl, request) }));
  }
  return htmlPage(200, consentPage({ appName: context.appName, endpoint: page, request, users: context.users }));
}

/** `/connect/sandbox/decide`: the consent form's answer. A denial comes back with state only. */
export function handleDecide(query: URLSearchParams, context: AuthorizeContext): SandboxResponse {
  const check = checkAuthorizeQuery('decide', query, context.appid);
  if (!check.ok) return htmlPage(400, errorPage(check.error));
  const { request } = check;
  const decision = query.get('decision');
  if (decision === 'deny') return redirectTo(callbackUrl(request.redirectUri, withState([], request.state)));
  if (decision !== 'approve') return htmlPage(400, errorPage({ message: 'decision 必须是 approve 或 deny' }));
  const user = findUser(context, query.get('user') ?? '');
  if (!user) return htmlPage(400, errorPage({ message: '未知的测试用户' }));
  const code = context.grants.issueCode(user, request.scope);
  return redirectTo(callbackUrl(request.redirectUri, withState([['code', code]], request.state)));
}

/** The scan page for this request, its parameters in WeChat's order so it validates like the original. */
function scanUrl(publicUrl: string, request: AuthorizeRequest): string {
  return `${publicUrl}${SCAN_PATH}?${new URLSearchParams(authorizeParams(request))}`;
}

function findUser(context: AuthorizeContext, key: string): WxSandboxUser | undefined {
  return context.users.find((user) => user.key === key);
}

function withState(params: Array<[string, string]>, state: string | undefined): Array<[string, string]> {
  return state === undefined ? params : [...params, ['state', state]];
}
