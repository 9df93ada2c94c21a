import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { WxOAuthModuleOptions } from './options/wx-oauth-module-options.interface.js';
import { WX_OAUTH_MODULE_OPTIONS } from './wx-oauth.constants.js';
import { wxOAuthExports, wxOAuthProviders } from './wx-oauth.providers.js';

export const { ConfigurableModuleClass, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<WxOAuthModuleOptions>({
    optionsInjectionToken: WX_OAUTH_MODULE_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createWxOAuthOptions')
    // Registered once, in the root module, it serves every module (as ConfigModule's isGlobal), unless isGlobal: false.
    // The providers come with the registration only, so that a bare `imports: [WxOAuthModule]` asks for nothing.
    .setExtras({ isGlobal: true }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      imports: [...(definition.imports ?? []), DiscoveryModule],
      providers: [...(definition.providers ?? []), ...wxOAuthProviders],
      exports: [...(definition.exports ?? []), WX_OAUTH_MODULE_OPTIONS, ...wxOAuthExports],
    }))
    .build();

/**
 * What `forRootAsync` takes: `useFactory` / `useClass` / `useExisting` (a `WxOAuthOptionsFactory`),
 * `inject`, `imports`, `isGlobal` (default true).
 *
 * @publicApi
 */
export type WxOAuthModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
