export type { WxAuthInfo, WxStateInfo } from './wx-auth-info.interface.js';
export type {
  WxAppCredentials,
  WxMessagePushSettings,
  WxOAuthModuleOptions,
  WxOAuthOptionsFactory,
  WxValidate,
} from './wx-oauth-module-options.interface.js';
