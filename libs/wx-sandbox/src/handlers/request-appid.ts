import type { SandboxAppTokens } from '../model/sandbox-app-tokens.js';
import type { SandboxGrants } from '../model/sandbox-grants.js';
import type { SandboxQrCodes } from '../model/sandbox-qr-codes.js';
import type { WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { WxSandboxCorpInfo } from '../model/wecom-corps.js';
import type { WeComGrants } from '../model/wecom-grants.js';
import { jsonObject } from './request-body.js';

/** What the request log reads to tell which app a request was for. */
export interface RequestAppidContext {
  /** A registered WeChat app, or a WeCom corp by its corpid. */
  app(appid: string): WxSandboxAppInfo | WxSandboxCorpInfo | undefined;
  appTokens: SandboxAppTokens;
  grants: SandboxGrants;
  /** The merchant account of a platform's `authorizer_access_token`. */
  authorizerAppid(token: string): string | undefined;
  qrCodes: SandboxQrCodes;
  corpTokens: WeComGrants;
}

/** What a request carries that names its app. */
export interface RequestAppidSources {
  query: URLSearchParams;
  body: string;
  /** A follow QR code's id, from its page's path. */
  qrCodeId?: string;
}

/**
 * The registered app a request was for, read before it is handled (a token may be renewed
 * by it): its `appid` (query, JSON or form body; WeCom's `corpid`; a platform's JSON
 * `authorizer_appid`), else the app (or corp) of its access token, QR ticket or QR code. Only
 * a registered app's appid or corp's corpid is answered, so a secret sent as an appid by
 * mistake never reaches the log.
 */
export function requestAppid(
  sources: RequestAppidSources,
  context: RequestAppidContext,
): string | undefined {
  const appid = namedAppid(sources, context);
  return appid !== undefined && context.app(appid) ? appid : undefined;
}

function namedAppid(
  { query, body, qrCodeId }: RequestAppidSources,
  context: RequestAppidContext,
): string | undefined {
  const form = body.trimStart().startsWith('{') ? undefined : new URLSearchParams(body);
  const json = form ? undefined : jsonObject(body);
  // A platform's calls name the merchant's account as `authorizer_appid`.
  const named =
    query.get('appid') ??
    query.get('corpid') ??
    form?.get('appid') ??
    json?.appid ??
    json?.authorizer_appid;
  if (named !== undefined && named !== null) return typeof named === 'string' ? named : undefined;
  const token = query.get('access_token');
  if (token) {
    const appToken = context.appTokens.find(token);
    if (typeof appToken !== 'number') return appToken.appid;
    const grant = context.grants.findByAccessToken(token);
    if (typeof grant !== 'number') return grant.appid;
    const corpToken = context.corpTokens.findToken(token);
    return typeof corpToken === 'number' ? context.authorizerAppid(token) : corpToken.corpid;
  }
  const code =
    context.qrCodes.byTicketLive(query.get('ticket') ?? '') ??
    context.qrCodes.byIdLive(qrCodeId ?? form?.get('qr') ?? '');
  return code?.appid;
}
