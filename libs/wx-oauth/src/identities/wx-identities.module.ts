import { type DynamicModule, Module } from '@nestjs/common';
import { WxIdentities } from './wx-identities.service.js';
import { ConfigurableModuleClass, OPTIONS_TYPE } from './wx-identities.module-definition.js';

/**
 * The links of WeChat identities to the app's users (`WxIdentities`), in the
 * memory by default or in the app's database: `forRoot()`, or `forRootAsync`
 * with a `store` built from an injected `DataSource` (`nest-wx-oauth/typeorm`).
 * Independent of `WxOAuthModule`: it only reads the profiles the logins give.
 *
 * @publicApi
 */
@Module({ providers: [WxIdentities], exports: [WxIdentities] })
export class WxIdentitiesModule extends ConfigurableModuleClass {
  /** The memory store unless `store` says otherwise. */
  static forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
