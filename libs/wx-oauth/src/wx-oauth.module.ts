import { Inject, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { WXOAuth } from './client/wx-oauth.client.js';
import { WxQrLogin } from './passport/wx-qr-login.js';
import { WxStrategy } from './passport/wx.strategy.js';
import { WxTokenService } from './tokens/wx-token.service.js';
import { WX_OAUTH_OPTIONS } from './wx-oauth.constants.js';
import { ConfigurableModuleClass } from './wx-oauth.module-definition.js';
import type { ResolvedWxOAuthOptions } from './wx-oauth.options.js';
import { WxOAuthApps } from './wx-oauth.apps.js';
import {
  wxOAuthAppClientProviders,
  wxOAuthAppsProvider,
  wxOAuthClientProvider,
  wxOAuthOptionsProvider,
  wxStateStoreProvider,
} from './wx-oauth.providers.js';

let warnedAboutMemoryStore = false;

/**
 * WeChat login for a Nest app: `forRoot(options)` or `forRootAsync({ useFactory
 * | useClass | useExisting })`, with `isGlobal`. Provides `WXOAuth`, the
 * `'wechat'` strategy that `WxAuthGuard` runs, and `WxTokenService`.
 *
 * @publicApi
 */
@Module({
  providers: [
    wxOAuthOptionsProvider,
    wxOAuthAppsProvider,
    wxOAuthClientProvider,
    ...wxOAuthAppClientProviders,
    wxStateStoreProvider,
    WxStrategy,
    WxTokenService,
    WxQrLogin,
  ],
  // WxAuthGuard needs none of these: passport finds the strategy by name, so the guard works in any module.
  exports: [WXOAuth, ...wxOAuthAppClientProviders.map((p) => (p as { provide: string }).provide), WxTokenService, WxQrLogin],
})
export class WxOAuthModule extends ConfigurableModuleClass implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly apps: WxOAuthApps,
    @Inject(WX_OAUTH_OPTIONS) private readonly options: ResolvedWxOAuthOptions,
  ) {
    super();
  }

  onModuleInit(): void {
    // The one place the library looks at the environment: NODE_ENV is how Node apps say "production".
    if (this.options.tokenStoreIsDefault && process.env.NODE_ENV === 'production' && !warnedAboutMemoryStore) {
      warnedAboutMemoryStore = true;
      new Logger('WxOAuthModule').warn(
        'Tokens are kept in this process memory (MemoryTokenStore): they are lost on restart and not shared between ' +
          'instances. Pass tokenStore: new RedisTokenStore({ url }) from nest-wx-oauth/redis.',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.apps.close();
    await this.options.tokenStore.close?.();
  }
}
