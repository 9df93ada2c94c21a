import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter, type HttpAdapterHost } from '@nestjs/core';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from './wx-http-exception.js';

/**
 * Answers a `WxOAuthError` that reaches Nest (from the module's services,
 * `WXOAuth`, the app's own handlers) as the guard answers a failed login: its
 * status (400, 401, 403, 404, 502, 503, 504) and WeChat's errcode, never
 * Nest's 500. Installed by the module (`WxOAuthErrorFallback`).
 */
@Catch(WxOAuthError)
export class WxOAuthExceptionFilter extends BaseExceptionFilter {
  constructor(protected override readonly httpAdapterHost: HttpAdapterHost) {
    super();
  }

  override catch(error: WxOAuthError, host: ArgumentsHost): void {
    super.catch(wxHttpException(error), host);
  }
}
