import { isMobileApp, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxGrant, SandboxGrants } from '../model/sandbox-grants.js';
import { wxErrorBody, type WxErrcode, type WxErrorBody } from '../model/wx-errors.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';

export interface SnsContext {
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  accessTokenTtlSeconds: number;
  grants: SandboxGrants;
  /** Whether WeChat's risk control blocks the person's native-app login. */
  isHighRisk(userKey: string): boolean;
  /** A fresh request id for an errmsg suffix. */
  rid(): string;
}

/** The user-token endpoints under `/sns`. */
export type SnsEndpoint = 'access_token' | 'refresh_token' | 'auth' | 'userinfo';

const LANGS = new Set(['zh_CN', 'zh_TW', 'en']);

/**
 * The `/sns` answers, for official accounts, website apps and mobile apps alike (a mobile
 * app's OpenSDK code is exchanged as a website app's), computed from the query string
 * alone: parameters in a POST body are not read, so they end in 41002 as on WeChat. Errors
 * never echo a parameter, so the secret and tokens cannot leak through them.
 */
export function handleSns(
  endpoint: SnsEndpoint,
  query: URLSearchParams,
  context: SnsContext,
): object {
  const fail = (errcode: WxErrcode): WxErrorBody => wxErrorBody(errcode, context.rid());
  const param = (name: string): string => query.get(name) ?? '';

  switch (endpoint) {
    case 'access_token': {
      if (!param('appid')) return fail(41002);
      const app = context.app(param('appid'));
      if (!app) return fail(40013);
      if (!param('secret')) return fail(41004);
      if (param('secret') !== app.secret) return fail(40125);
      if (!param('code')) return fail(41008);
      if (param('grant_type') !== 'authorization_code') return fail(40002);
      // Risk control blocks a mobile app's login here, as jscode2session does a mini-program's.
      const blocked = isMobileApp(app)
        ? (user: WxSandboxUser) => context.isHighRisk(user.key)
        : undefined;
      const grant = context.grants.redeemCode(param('code'), app.appid, blocked);
      return typeof grant === 'number' ? fail(grant) : codeExchangeBody(grant, context);
    }
    case 'refresh_token': {
      if (!param('appid')) return fail(41002);
      if (!context.app(param('appid'))) return fail(40013);
      if (param('grant_type') !== 'refresh_token') return fail(40002);
      if (!param('refresh_token')) return fail(41003);
      const grant = context.grants.refresh(param('refresh_token'), param('appid'));
      return typeof grant === 'number' ? fail(grant) : tokenBody(grant, context);
    }
    case 'auth': {
      const grant = grantFor(query, context.grants);
      return typeof grant === 'number' ? fail(grant) : { errcode: 0, errmsg: 'ok' };
    }
    case 'userinfo': {
      const grant = grantFor(query, context.grants);
      if (typeof grant === 'number') return fail(grant);
      if (grant.scope === 'snsapi_base') return fail(48001);
      if (!LANGS.has(query.get('lang') ?? 'zh_CN')) return fail(40006);
      const { user } = grant;
      // Since 2021-10-20 WeChat no longer returns gender or region.
      return {
        openid: user.openid,
        nickname: user.nickname,
        sex: 0,
        province: '',
        city: '',
        country: '',
        headimgurl: user.headimgurl,
        privilege: [],
        language: '',
        ...(isBound(grant, context) ? { unionid: user.unionid } : {}),
      };
    }
  }
}

/** Only an app bound to an Open Platform account gets unionids. */
function isBound(grant: SandboxGrant, context: Pick<SnsContext, 'app'>): boolean {
  return context.app(grant.appid)?.openPlatform !== undefined;
}

/** What a code exchange answers: the tokens, and the unionid and snapshot flag when they apply. */
export function codeExchangeBody(
  grant: SandboxGrant,
  context: Pick<SnsContext, 'app' | 'accessTokenTtlSeconds'>,
): object {
  return {
    ...tokenBody(grant, context),
    ...(isBound(grant, context) && grant.scope !== 'snsapi_base'
      ? { unionid: grant.user.unionid }
      : {}),
    ...(grant.user.snapshot ? { is_snapshotuser: 1 } : {}),
  };
}

/** What a refresh answers: the tokens, renewed. */
export function tokenBody(
  grant: SandboxGrant,
  context: Pick<SnsContext, 'accessTokenTtlSeconds'>,
): object {
  return {
    access_token: grant.accessToken,
    expires_in: context.accessTokenTtlSeconds,
    refresh_token: grant.refreshToken,
    openid: grant.user.openid,
    scope: grant.scope,
  };
}

/** The grant behind `access_token`, if it is live and belongs to `openid`. */
function grantFor(
  query: URLSearchParams,
  grants: SandboxGrants,
): SandboxGrant | 41001 | 41009 | 40001 | 42001 | 40003 {
  const accessToken = query.get('access_token');
  const openid = query.get('openid');
  if (!accessToken) return 41001;
  if (!openid) return 41009;
  const grant = grants.findByAccessToken(accessToken);
  if (typeof grant === 'number') return grant;
  return grant.user.openid === openid ? grant : 40003;
}
