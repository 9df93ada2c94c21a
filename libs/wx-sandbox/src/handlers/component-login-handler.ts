import { callbackUrl, type AuthorizePageError } from '../model/authorize-request.js';
import { isMiniProgram, isOfficialAccount, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import {
  defaultFuncInfo,
  onComponentDomain,
  type WxSandboxComponentInfo,
} from '../model/sandbox-components.js';
import { componentLoginPage } from '../pages/component-login-page.js';
import { errorPage } from '../pages/error-page.js';
import type { SandboxComponents } from '../wx-sandbox.components.js';
import { htmlPage, redirectTo, type SandboxResponse } from './sandbox-response.js';

/** mp.weixin.qq.com's authorisation page, and the mobile link's (`bindcomponent`). */
export const COMPONENT_LOGIN_PATH = '/cgi-bin/componentloginpage';
export const BIND_COMPONENT_PATH = '/safe/bindcomponent';

export interface ComponentLoginContext {
  components: SandboxComponents;
  /** Every registered app, the merchants' accounts among them. */
  apps(): readonly WxSandboxAppInfo[];
}

/** A checked link: the platform, where to go back, and the accounts it may be authorised. */
interface ComponentLoginLink {
  component: WxSandboxComponentInfo;
  preAuthCode: string;
  redirectUri: string;
  accounts: WxSandboxAppInfo[];
  /** The parameters the confirmation carries on. */
  params: Array<[string, string]>;
}

/** auth_type: 1 official accounts, 2 mini-programs, 3 both. */
const AUTH_TYPES: Record<string, (app: WxSandboxAppInfo) => boolean> = {
  '1': isOfficialAccount,
  '2': isMiniProgram,
  '3': (app) => isOfficialAccount(app) || isMiniProgram(app),
};

/** The page at either link: the merchant's accounts to pick from, or WeChat's error page. */
export function handleComponentLogin(
  mobile: boolean,
  query: URLSearchParams,
  context: ComponentLoginContext,
): SandboxResponse {
  if (mobile && query.get('action') !== 'bindcomponent')
    return refused({ message: 'action 参数错误' });
  const link = checkLink(query, context, false);
  if ('message' in link) return refused(link);
  return htmlPage(
    200,
    componentLoginPage({
      componentName: link.component.name,
      accounts: link.accounts,
      params: link.params,
    }),
  );
}

/**
 * The page's confirmation: the pre-auth code spent, the account authorised (the platform
 * told by push), and the browser sent to `redirect_uri?auth_code=&expires_in=`.
 */
export function handleComponentDecide(
  query: URLSearchParams,
  context: ComponentLoginContext,
): SandboxResponse {
  const link = checkLink(query, context, true);
  if ('message' in link) return refused(link);
  const account = link.accounts.find((app) => app.appid === query.get('authorizer'));
  if (!account) return refused({ message: '请选择要授权的帐号' });
  const { code, event } = context.components.authorize(
    link.component.appid,
    account.appid,
    defaultFuncInfo(account),
    link.preAuthCode,
  );
  // The merchant's browser does not wait for the platform's answer to the push.
  void event;
  return redirectTo(
    callbackUrl(link.redirectUri, [
      ['auth_code', code.authCode],
      ['expires_in', String(code.expiresIn)],
    ]),
  );
}

function checkLink(
  query: URLSearchParams,
  context: ComponentLoginContext,
  spend: boolean,
): ComponentLoginLink | AuthorizePageError {
  const component = context.components.get(query.get('component_appid') ?? '');
  if (!component) return { message: 'component_appid 无效 · invalid component' };
  const redirectUri = query.get('redirect_uri') ?? '';
  const redirect = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
  if (!redirect || (redirect.protocol !== 'http:' && redirect.protocol !== 'https:'))
    return { message: 'redirect_uri 参数错误' };
  if (!onComponentDomain(component, redirect.href))
    return { message: '请确认授权入口页所在域名，与授权后回调页所在域名相同', errcode: 10003 };
  const authType = query.get('auth_type') ?? '3';
  const eligible = AUTH_TYPES[authType];
  if (!eligible) return { message: 'auth_type 参数错误' };
  const preAuthCode = query.get('pre_auth_code') ?? '';
  const state = context.components.grants.preAuthCode(preAuthCode, component.appid, spend);
  if (state !== 'ok') {
    return {
      message:
        state === 'invalid'
          ? '无效的预授权码 · invalid pre_auth_code'
          : state === 'expired'
            ? '预授权码已过期 · pre_auth_code expired'
            : '预授权码已使用 · pre_auth_code already used',
    };
  }
  const bizAppid = query.get('biz_appid');
  const accounts = context
    .apps()
    .filter((app) => eligible(app) && (bizAppid === null || app.appid === bizAppid));
  const params: Array<[string, string]> = [
    ['component_appid', component.appid],
    ['pre_auth_code', preAuthCode],
    ['redirect_uri', redirect.href],
    ['auth_type', authType],
  ];
  if (bizAppid !== null) params.push(['biz_appid', bizAppid]);
  return { component, preAuthCode, redirectUri: redirect.href, accounts, params };
}

function refused(error: AuthorizePageError): SandboxResponse {
  return htmlPage(400, errorPage(error), error.errcode);
}
