import { HttpException } from '@nestjs/common';
import { WxOAuthError, wxErrorStatus } from '../client/wx-oauth.error.js';

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The HTTP error for a failed login, carrying WeChat's errcode: `WxAuthGuard`
 * throws these; an `AuthGuard('wechat')` can do the same in `handleRequest`.
 * Answers undefined for an error that is not the login's.
 *
 * @publicApi
 */
export function wxHttpException(error: unknown): HttpException | undefined {
  const wxError = asWxOAuthError(error);
  if (!wxError) return undefined;
  const status = wxErrorStatus(wxError.kind);
  const body = {
    statusCode: status,
    error: ERROR_NAMES[status] ?? 'Error',
    message: wxError.message,
    kind: wxError.kind,
    ...(wxError.errcode !== undefined ? { errcode: wxError.errcode, errmsg: wxError.errmsg } : {}),
  };
  return new HttpException(body, status, { cause: wxError });
}

/** passport-oauth2 wraps exchange failures in an InternalOAuthError; unwrap them. */
function asWxOAuthError(error: unknown): WxOAuthError | undefined {
  if (error instanceof WxOAuthError) return error;
  const inner = (error as { oauthError?: unknown } | null)?.oauthError;
  return inner instanceof WxOAuthError ? inner : undefined;
}
