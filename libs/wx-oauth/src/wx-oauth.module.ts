import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { WXOAuth } from './client/wx-oauth.client.js';
import { WxAuthGuard } from './passport/wx-auth.guard.js';
import { WxStrategy } from './passport/wx.strategy.js';
import { ConfigurableModuleClass } from './wx-oauth.module-definition.js';
import { wxOAuthClientProvider, wxOAuthOptionsProvider } from './wx-oauth.providers.js';

/**
 * WeChat login for a Nest app: `forRoot(options)` or `forRootAsync({ useFactory
 * | useClass | useExisting })`, with `isGlobal`. Provides `WXOAuth`, the
 * `'wechat'` strategy and `WxAuthGuard`.
 *
 * @publicApi
 */
@Module({
  providers: [wxOAuthOptionsProvider, wxOAuthClientProvider, WxStrategy, WxAuthGuard],
  exports: [WXOAuth, WxAuthGuard],
})
export class WxOAuthModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(private readonly wx: WXOAuth) {
    super();
  }

  onApplicationShutdown(): void {
    this.wx.close();
  }
}
