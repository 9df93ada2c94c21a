import { HttpException } from '@nestjs/common';
import { InternalOAuthError } from 'passport-oauth2';
import { WxOAuthError, wxErrorStatus } from '../client/wx-oauth.error.js';

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The one place a failure becomes HTTP: a `WxOAuthError` (also as
 * passport-oauth2 wraps a token request's, `InternalOAuthError.oauthError`)
 * as an `HttpException` with its status and WeChat's errcode, the error as
 * its cause. Anything else is answered undefined and left as it is.
 *
 * @internal
 */
export function wxHttpException(error: unknown): HttpException | undefined {
  const cause = error instanceof InternalOAuthError ? error.oauthError : error;
  if (!(cause instanceof WxOAuthError)) return undefined;
  const status = wxErrorStatus(cause.kind);
  const body = {
    statusCode: status,
    error: ERROR_NAMES[status] ?? 'Error',
    message: cause.message,
    kind: cause.kind,
    ...(cause.errcode !== undefined ? { errcode: cause.errcode, errmsg: cause.errmsg } : {}),
  };
  return new HttpException(body, status, { cause });
}

/** `error` as the HTTP error a strategy hands passport, so that any AuthGuard answers its status. */
export function asHttpError(error: unknown): unknown {
  return wxHttpException(error) ?? error;
}
