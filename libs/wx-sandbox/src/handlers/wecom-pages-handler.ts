import { callbackUrl } from '../model/authorize-request.js';
import type { SandboxCorps, WeComPerson, WxSandboxCorpInfo } from '../model/wecom-corps.js';
import type { WeComGrants } from '../model/wecom-grants.js';
import {
  weComAuthorizePage,
  weComErrorPage,
  weComLoginPage,
  type WeComErrorPageInput,
  type WeComPagePerson,
} from '../pages/wecom-pages.js';
import { htmlPage, redirectTo, type SandboxResponse } from './sandbox-response.js';

export interface WeComPagesContext {
  corps: SandboxCorps;
  grants: WeComGrants;
  publicUrl: string;
  /** Who the WeCom client is signed in as, agreeing to everything; `false`: the pages ask. */
  autoApprove: string | false;
}

/** The scopes of the in-client authorize link. */
export type WeComScope = 'snsapi_base' | 'snsapi_privateinfo';

/** Where the web login page's QR code and simulated scans go: what the phone opens. */
export const WECOM_SCAN_PATH = '/wwlogin/sandbox/scan';

/**
 * The sandbox's own parameters on WeCom's pages, for tests without a browser: who the client
 * is signed in as, and the answer to the consent page.
 */
const USER_PARAM = 'sandbox_user';
const CONSENT_PARAM = 'sandbox_consent';

/** A checked authorize or web login link. */
interface WeComLinkRequest {
  corp: WxSandboxCorpInfo;
  /** `undefined` on an in-client link without one. */
  agentid: string | undefined;
  redirectUri: string;
  /** The in-client link's; the web login has none. */
  scope: WeComScope | undefined;
  state: string | undefined;
}

type LinkCheck =
  { ok: true; request: WeComLinkRequest } | { ok: false; error: WeComErrorPageInput };

const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;

/**
 * `/connect/oauth2/authorize` with a corpid: inside the WeCom client. snsapi_base redirects
 * at once as whoever is signed in; snsapi_privateinfo with an agentid asks consent first (a
 * decline comes back with a code that gives the userid only); without an agentid it is
 * snsapi_base. Without anyone signed in, the page asks who.
 */
export function handleWeComAuthorize(
  query: URLSearchParams,
  context: WeComPagesContext,
): SandboxResponse {
  const check = checkLink('authorize', query, context.corps);
  if (!check.ok) return errorResponse(check.error);
  const { request } = check;
  const consent = asksConsent(request);
  const signedIn = query.get(USER_PARAM) ?? (context.autoApprove || undefined);
  if (signedIn === undefined) return authorizePage(request, consent, peopleOf(request.corp));
  const person = context.corps.person(request.corp.corpid, signedIn);
  if (!person) return errorResponse({ message: `${USER_PARAM}: 未知的测试账号` });
  if (!consent || person.kind === 'nonMember') return approve(request, person, false, context);
  const answer = query.get(CONSENT_PARAM) ?? (query.has(USER_PARAM) ? undefined : 'agree');
  if (answer === undefined) return authorizePage(request, consent, [personOf(person)]);
  if (answer !== 'agree' && answer !== 'decline')
    return errorResponse({ message: `${CONSENT_PARAM} 必须是 agree 或 decline` });
  return approve(request, person, answer === 'agree', context);
}

/** The authorize page's form: who, and whether they agreed. */
export function handleWeComDecide(
  query: URLSearchParams,
  context: WeComPagesContext,
): SandboxResponse {
  const check = checkLink('authorize', query, context.corps);
  if (!check.ok) return errorResponse(check.error);
  const { request } = check;
  const decision = query.get('decision');
  if (decision !== 'agree' && decision !== 'decline')
    return errorResponse({ message: 'decision 必须是 agree 或 decline' });
  const person = context.corps.person(request.corp.corpid, query.get('user') ?? '');
  if (!person) return errorResponse({ message: '未知的测试账号' });
  const agreed = asksConsent(request) && person.kind === 'member' && decision === 'agree';
  return approve(request, person, agreed, context);
}

/**
 * `/wwlogin/sso/login` (login.work.weixin.qq.com): the QR code the WeCom app scans, and a
 * simulated scan per person; redirects at once as whoever is signed in.
 */
export function handleWeComLogin(
  query: URLSearchParams,
  context: WeComPagesContext,
): SandboxResponse {
  const check = checkLink('login', query, context.corps);
  if (!check.ok) return errorResponse(check.error);
  const { request } = check;
  const signedIn = query.get(USER_PARAM) ?? (context.autoApprove || undefined);
  if (signedIn !== undefined) return scannedBy(request, signedIn, context);
  return loginPage(request, context, scanUrl(request, context.publicUrl));
}

/** What a scan of the login QR code opens: the person's confirmation, or who scans. */
export function handleWeComScan(
  query: URLSearchParams,
  context: WeComPagesContext,
): SandboxResponse {
  const check = checkLink('login', query, context.corps);
  if (!check.ok) return errorResponse(check.error);
  const user = query.get('user');
  return user === null
    ? loginPage(check.request, context, undefined)
    : scannedBy(check.request, user, context);
}

function scannedBy(
  request: WeComLinkRequest,
  key: string,
  context: WeComPagesContext,
): SandboxResponse {
  const person = context.corps.person(request.corp.corpid, key);
  if (!person) return errorResponse({ message: '未知的测试账号' });
  return approve(request, person, false, context);
}

/** Whether the link asks consent: snsapi_privateinfo with an agentid. */
function asksConsent(request: WeComLinkRequest): boolean {
  return request.scope === 'snsapi_privateinfo' && request.agentid !== undefined;
}

/** Back to the app with a fresh code: `redirect_uri?code=…&state=…`. */
function approve(
  request: WeComLinkRequest,
  person: WeComPerson,
  privateinfo: boolean,
  context: WeComPagesContext,
): SandboxResponse {
  const code = context.grants.issueCode({
    corpid: request.corp.corpid,
    agentid: request.agentid,
    key: personOf(person).key,
    privateinfo: privateinfo && person.kind === 'member',
  });
  const params: Array<[string, string]> = [['code', code]];
  if (request.state !== undefined) params.push(['state', request.state]);
  return redirectTo(callbackUrl(request.redirectUri, params));
}

function authorizePage(
  request: WeComLinkRequest,
  consent: boolean,
  people: readonly WeComPagePerson[],
): SandboxResponse {
  return htmlPage(
    200,
    weComAuthorizePage({
      corp: request.corp,
      appName: appNameOf(request),
      consent,
      params: linkParams(request),
      people,
    }),
  );
}

function loginPage(
  request: WeComLinkRequest,
  context: WeComPagesContext,
  qrUrl: string | undefined,
): SandboxResponse {
  const scan = scanUrl(request, context.publicUrl);
  return htmlPage(
    200,
    weComLoginPage({
      corp: request.corp,
      appName: appNameOf(request),
      qrUrl,
      scanUrl: (key) => `${scan}&user=${encodeURIComponent(key)}`,
      people: peopleOf(request.corp),
    }),
  );
}

/** The phone's page for this login: the link's own parameters, on the sandbox's scan path. */
function scanUrl(request: WeComLinkRequest, publicUrl: string): string {
  return `${publicUrl}${WECOM_SCAN_PATH}?${new URLSearchParams(linkParams(request))}`;
}

/** The parameters of the link, as a form or a scan URL carries them on. */
function linkParams(request: WeComLinkRequest): Array<[string, string]> {
  const params: Array<[string, string]> =
    request.scope === undefined ? [['login_type', 'CorpApp']] : [];
  params.push(['appid', request.corp.corpid]);
  if (request.agentid !== undefined && request.scope === undefined)
    params.push(['agentid', request.agentid]);
  params.push(['redirect_uri', request.redirectUri]);
  if (request.scope !== undefined) params.push(['response_type', 'code'], ['scope', request.scope]);
  if (request.state !== undefined) params.push(['state', request.state]);
  if (request.agentid !== undefined && request.scope !== undefined)
    params.push(['agentid', request.agentid]);
  return params;
}

function appNameOf(request: WeComLinkRequest): string {
  const app = request.corp.apps.find((candidate) => candidate.agentid === request.agentid);
  return app?.name ?? request.corp.name;
}

function peopleOf(corp: WxSandboxCorpInfo): WeComPagePerson[] {
  return [...corp.members, ...corp.nonMembers];
}

function personOf(person: WeComPerson): WeComPagePerson {
  return person.kind === 'member' ? person.member : person.nonMember;
}

function errorResponse(error: WeComErrorPageInput): SandboxResponse {
  return htmlPage(400, weComErrorPage(error), error.errcode);
}

/** Checks an in-client authorize link or a web login link as WeCom does, first failure wins. */
function checkLink(
  kind: 'authorize' | 'login',
  query: URLSearchParams,
  corps: SandboxCorps,
): LinkCheck {
  const fail = (message: string, errcode?: number): LinkCheck => ({
    ok: false,
    error: { errcode, message },
  });
  if (kind === 'login' && query.get('login_type') !== 'CorpApp')
    return fail('login_type 参数错误，自建应用应为 CorpApp');
  const corp = corps.corp(query.get('appid') ?? '');
  if (!corp) return fail('appid 参数错误：企业不存在', 40013);
  const agentid = query.get('agentid') || undefined;
  if (kind === 'login' && agentid === undefined) return fail('agentid 参数不能为空', 40056);
  const app = agentid === undefined ? undefined : corp.apps.find((one) => one.agentid === agentid);
  if (agentid !== undefined && !app) return fail('agentid 参数错误：应用不存在', 40056);

  const redirectUri = query.get('redirect_uri');
  if (!redirectUri) return fail('redirect_uri 参数不能为空');
  const redirect = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
  if (!redirect || (redirect.protocol !== 'http:' && redirect.protocol !== 'https:'))
    return fail('redirect_uri 参数错误', 50001);
  if (app?.redirectHosts && !app.redirectHosts.includes(redirect.host))
    return fail('redirect_uri 与配置的授权完成回跳域名不一致', 50001);

  let scope: WeComScope | undefined;
  if (kind === 'authorize') {
    if (query.get('response_type') !== 'code') return fail('response_type 参数错误');
    const asked = query.get('scope');
    if (asked !== 'snsapi_base' && asked !== 'snsapi_privateinfo')
      return fail('scope 参数错误', 10005);
    scope = asked;
  }
  const state = query.get('state') ?? undefined;
  if (state !== undefined && !STATE_PATTERN.test(state))
    return fail('state 参数错误 (a-zA-Z0-9, 最多 128 字节)');
  return { ok: true, request: { corp, agentid, redirectUri: redirect.href, scope, state } };
}
