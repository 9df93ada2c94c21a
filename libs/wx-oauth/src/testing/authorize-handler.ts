import { consentPage, errorPage } from './authorize-pages.js';
import { callbackUrl, checkAuthorizeQuery } from './authorize-request.js';
import type { SandboxGrants } from './sandbox-grants.js';
import { htmlPage, redirectTo, type SandboxResponse } from './sandbox-response.js';
import type { WxSandboxUser } from './wx-sandbox.types.js';

export interface AuthorizeContext {
  appid: string;
  appName: string;
  users: readonly WxSandboxUser[];
  autoApprove: string | false;
  grants: SandboxGrants;
}

/** `/connect/oauth2/authorize` and `/connect/qrconnect`: redirect at once, or ask. */
export function handleAuthorize(
  endpoint: 'authorize' | 'qrconnect',
  query: URLSearchParams,
  context: AuthorizeContext,
): SandboxResponse {
  const check = checkAuthorizeQuery(endpoint, query, context.appid);
  if (!check.ok) return htmlPage(400, errorPage(check.error));
  const { request } = check;
  const approver = context.autoApprove === false ? undefined : findUser(context, context.autoApprove);
  if (approver) {
    const code = context.grants.issueCode(approver, request.scope);
    return redirectTo(callbackUrl(request.redirectUri, withState([['code', code]], request.state)));
  }
  return htmlPage(200, consentPage({ appName: context.appName, endpoint, request, users: context.users }));
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

function findUser(context: AuthorizeContext, key: string): WxSandboxUser | undefined {
  return context.users.find((user) => user.key === key);
}

function withState(params: Array<[string, string]>, state: string | undefined): Array<[string, string]> {
  return state === undefined ? params : [...params, ['state', state]];
}
