import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WxOAuthModuleOptions } from './interfaces/wx-oauth-module-options.interface.js';
import { WX_OAUTH_MODULE_OPTIONS } from './wx-oauth.constants.js';

export const { ConfigurableModuleClass, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<WxOAuthModuleOptions>({
    optionsInjectionToken: WX_OAUTH_MODULE_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createWxOAuthOptions')
    // The options token is exported, so that InjectWxOAuthOptions() works wherever the module is imported.
    .setExtras({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      exports: [...(definition.exports ?? []), WX_OAUTH_MODULE_OPTIONS],
    }))
    .build();

/**
 * What `forRootAsync` takes: `useFactory` / `useClass` / `useExisting` (a `WxOAuthOptionsFactory`),
 * `inject`, `imports`, `isGlobal`.
 *
 * @publicApi
 */
export type WxOAuthModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
