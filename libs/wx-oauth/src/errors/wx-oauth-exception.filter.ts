import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from './wx-http-exception.js';

/**
 * Answers a `WxOAuthError` thrown by the app's own handlers (`WxTokenService`,
 * `WXOAuth`) as the guard answers a failed login: its status (401, 403, 502,
 * 503, 504) and body with WeChat's errcode, instead of Nest's 500. Register it
 * app-wide with `{ provide: APP_FILTER, useClass: WxOAuthExceptionFilter }`, or
 * on a controller with `@UseFilters(WxOAuthExceptionFilter)`.
 *
 * @publicApi
 */
@Catch(WxOAuthError)
export class WxOAuthExceptionFilter extends BaseExceptionFilter {
  override catch(error: WxOAuthError, host: ArgumentsHost): void {
    super.catch(wxHttpException(error), host);
  }
}
