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
 * The HTTP error for a failed login, carrying WeChat's errcode, with the
 * `WxOAuthError` as its cause: the strategy hands passport these, and an app
 * can turn its own calls' errors (`WxTokenService`) into the same. Answers
 * undefined for an error that is not a `WxOAuthError`.
 *
 * @publicApi
 */
export function wxHttpException(error: unknown): HttpException | undefined {
  if (!(error instanceof WxOAuthError)) return undefined;
  const status = wxErrorStatus(error.kind);
  const body = {
    statusCode: status,
    error: ERROR_NAMES[status] ?? 'Error',
    message: error.message,
    kind: error.kind,
    ...(error.errcode !== undefined ? { errcode: error.errcode, errmsg: error.errmsg } : {}),
  };
  return new HttpException(body, status, { cause: error });
}
