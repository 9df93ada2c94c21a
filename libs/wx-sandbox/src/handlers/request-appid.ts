import type { SandboxAppTokens } from '../model/sandbox-app-tokens.js';
import type { SandboxGrants } from '../model/sandbox-grants.js';
import type { SandboxQrCodes } from '../model/sandbox-qr-codes.js';
import type { WxSandboxAppInfo } from '../model/sandbox-apps.js';
import { jsonObject } from './request-body.js';

/** What the request log reads to tell which app a request was for. */
export interface RequestAppidContext {
  app(appid: string): WxSandboxAppInfo | undefined;
  appTokens: SandboxAppTokens;
  grants: SandboxGrants;
  /** The merchant account of a platform's `authorizer_access_token`. */
  authorizerAppid(token: string): string | undefined;
  qrCodes: SandboxQrCodes;
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
 * by it): its `appid` (query, JSON or form body) or `authorizer_appid` (a platform's JSON),
 * else the app of its access token, QR ticket or QR code. Only a registered app's appid is answered, so a secret sent as an appid by
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
  const named = query.get('appid') ?? form?.get('appid') ?? json?.appid ?? json?.authorizer_appid;
  if (named !== undefined && named !== null) return typeof named === 'string' ? named : undefined;
  const token = query.get('access_token');
  if (token) {
    const appToken = context.appTokens.find(token);
    if (typeof appToken !== 'number') return appToken.appid;
    const grant = context.grants.findByAccessToken(token);
    return typeof grant === 'number' ? context.authorizerAppid(token) : grant.appid;
  }
  const code =
    context.qrCodes.byTicketLive(query.get('ticket') ?? '') ??
    context.qrCodes.byIdLive(qrCodeId ?? form?.get('qr') ?? '');
  return code?.appid;
}
