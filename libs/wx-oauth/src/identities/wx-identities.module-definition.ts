import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WxIdentitiesModuleOptions } from './wx-identities-options.interface.js';

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<WxIdentitiesModuleOptions>({
    moduleName: 'WxIdentities',
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createWxIdentitiesOptions')
    // Registered once, in the root module, it serves every module, unless isGlobal: false.
    .setExtras({ isGlobal: true }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build();

/**
 * What `forRootAsync` takes: `useFactory` (inject TypeORM's `DataSource`, say), `useClass`,
 * `useExisting`, `inject`, `imports`, `isGlobal` (default true).
 *
 * @publicApi
 */
export type WxIdentitiesModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
