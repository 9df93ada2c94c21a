import type { SandboxCorps, WxSandboxMember } from '../model/wecom-corps.js';
import { weComErrorBody, type WeComErrcode } from '../model/wecom-errors.js';
import {
  USER_TICKET_TTL_SECONDS,
  type CorpToken,
  type WeComGrants,
} from '../model/wecom-grants.js';
import { jsonObject } from './request-body.js';

/** WeCom's API endpoints on qyapi.weixin.qq.com. */
export type WeComEndpoint = 'gettoken' | 'auth_getuserinfo' | 'auth_getuserdetail' | 'user_get';

const WECOM_ENDPOINTS: ReadonlySet<string> = new Set<WeComEndpoint>([
  'gettoken',
  'auth_getuserinfo',
  'auth_getuserdetail',
  'user_get',
]);

/** Whether a route is WeCom's API, whose errors read as WeCom's. */
export function isWeComEndpoint(name: string): name is WeComEndpoint {
  return WECOM_ENDPOINTS.has(name);
}

export interface WeComApiRequest {
  method: string;
  query: URLSearchParams;
  /** The raw body; JSON for getuserdetail. */
  body: string;
  /** The caller's address, which WeCom names in its errors. */
  ip: string;
}

export interface WeComApiContext {
  corps: SandboxCorps;
  grants: WeComGrants;
  /** The sandbox clock, in ms. */
  now(): number;
}

const OK = { errcode: 0, errmsg: 'ok' } as const;

/**
 * `/cgi-bin/gettoken`, `/cgi-bin/auth/getuserinfo`, `/cgi-bin/auth/getuserdetail` and
 * `/cgi-bin/user/get`. Errors never echo a parameter, so no secret, code or ticket leaks
 * through them; every call of an app whose IP is not trusted answers 60020.
 */
export function handleWeComApi(
  endpoint: WeComEndpoint,
  request: WeComApiRequest,
  context: WeComApiContext,
): object {
  const fail = (errcode: WeComErrcode, errmsg?: string): object =>
    weComErrorBody(errcode, context.now(), request.ip, errmsg);
  const { query } = request;

  if (endpoint === 'gettoken') {
    const corpid = query.get('corpid');
    if (!corpid) return fail(41002);
    if (!context.corps.corp(corpid)) return fail(40013);
    const secret = query.get('corpsecret');
    if (!secret) return fail(41004);
    const app = context.corps.appBySecret(corpid, secret);
    if (!app) return fail(40001);
    if (!app.ipTrusted) return fail(60020);
    const token = context.grants.token(corpid, app.agentid);
    return { ...OK, access_token: token.token, expires_in: context.grants.expiresIn(token) };
  }

  const token = liveToken(query.get('access_token'), context);
  if (typeof token === 'number') return fail(token);

  switch (endpoint) {
    case 'auth_getuserinfo': {
      const code = query.get('code');
      if (!code) return fail(41008);
      const grant = context.grants.redeemCode(code, token);
      if (typeof grant === 'number') return fail(grant);
      const person = context.corps.person(grant.corpid, grant.key);
      if (!person) return fail(40029);
      if (person.kind === 'nonMember') {
        const { openid, externalUserid } = person.nonMember;
        return {
          ...OK,
          openid,
          ...(externalUserid === undefined ? {} : { external_userid: externalUserid }),
        };
      }
      const { member } = person;
      const app = context.corps.app(token.corpid, token.agentid);
      // A user_ticket only with the member's consent to snsapi_privateinfo, and only for a
      // member in the app's visible range.
      if (!grant.privateinfo || !app?.visibleTo.includes(member.key))
        return { ...OK, userid: member.userid };
      return {
        ...OK,
        userid: member.userid,
        user_ticket: context.grants.issueTicket(token.corpid, token.agentid, member.key),
        expires_in: USER_TICKET_TTL_SECONDS,
      };
    }
    case 'auth_getuserdetail': {
      if (request.method !== 'POST') return fail(43002);
      const body = jsonObject(request.body);
      if (!body) return fail(47001);
      const ticket = body.user_ticket;
      if (typeof ticket !== 'string' || !ticket) return fail(40029, 'invalid user_ticket');
      const found = context.grants.findTicket(ticket, token);
      const person = found && context.corps.person(found.corpid, found.key);
      if (person?.kind !== 'member') return fail(40029, 'invalid user_ticket');
      return { ...OK, ...memberDetail(person.member) };
    }
    case 'user_get': {
      const userid = query.get('userid');
      if (!userid) return fail(41009);
      const member = context.corps
        .corp(token.corpid)
        ?.members.find((candidate) => candidate.userid === userid);
      if (!member) return fail(60111);
      const app = context.corps.app(token.corpid, token.agentid);
      if (!app?.visibleTo.includes(member.key)) return fail(60011);
      // Since 2022-06-20 a new self-built app reads no avatar, mobile or email here.
      return {
        ...OK,
        userid: member.userid,
        name: member.name,
        department: [1],
        main_department: 1,
        position: '',
        status: 1,
        enable: 1,
      };
    }
  }
}

/** The live token of a corp app whose IP is trusted, or the errcode of why not. */
function liveToken(
  accessToken: string | null,
  context: WeComApiContext,
): CorpToken | 41001 | 40014 | 42001 | 60020 {
  if (!accessToken) return 41001;
  const token = context.grants.findToken(accessToken);
  if (typeof token === 'number') return token;
  const app = context.corps.app(token.corpid, token.agentid);
  if (!app) return 40014;
  return app.ipTrusted ? token : 60020;
}

/** getuserdetail's answer: only the fields the member has, WeCom's names. */
function memberDetail(member: WxSandboxMember): Record<string, string> {
  const detail: Record<string, string> = { userid: member.userid, gender: member.gender };
  if (member.avatar) detail.avatar = member.avatar;
  detail.qr_code = member.qrCode;
  if (member.mobile !== undefined) detail.mobile = member.mobile;
  if (member.email !== undefined) detail.email = member.email;
  if (member.bizMail !== undefined) detail.biz_mail = member.bizMail;
  if (member.address !== undefined) detail.address = member.address;
  return detail;
}
