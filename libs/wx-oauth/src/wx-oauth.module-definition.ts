import { ConfigurableModuleBuilder } from '@nestjs/common';
import { WX_OAUTH_MODULE_OPTIONS } from './wx-oauth.constants.js';
import type { WxOAuthModuleOptions } from './wx-oauth.options.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<WxOAuthModuleOptions>({ optionsInjectionToken: WX_OAUTH_MODULE_OPTIONS })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createWxOAuthOptions')
    .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();

/** What `forRootAsync` takes: `useFactory` / `useClass` / `useExisting`, `inject`, `imports`, `isGlobal`. @publicApi */
export type WxOAuthModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
