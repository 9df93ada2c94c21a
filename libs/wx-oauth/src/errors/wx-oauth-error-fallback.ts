import { Injectable } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { WxOAuthExceptionFilter } from './wx-oauth-exception.filter.js';

/**
 * Makes every `WxOAuthError` that reaches Nest answer its documented status
 * with no code of the app's. Added as the app's first global filter, before
 * Nest applies the app's own (`APP_FILTER`, `useGlobalFilters`): Nest asks the
 * last added first, so an app filter that catches these errors (an error
 * page, a redirect to log in again) still wins, and this one answers the rest.
 */
@Injectable()
export class WxOAuthErrorFallback {
  constructor(config: ApplicationConfig, adapterHost: HttpAdapterHost) {
    config.addGlobalFilter(new WxOAuthExceptionFilter(adapterHost));
  }
}
