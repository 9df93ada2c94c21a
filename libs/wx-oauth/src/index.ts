export { WXOAuth } from './client/wx-oauth.client.js';
export type { WXOAuthOptions } from './client/wx-oauth-client.options.js';
export { WxOAuthError, wxErrorStatus, type WxOAuthErrorKind, type WxOAuthErrorDetails } from './client/wx-oauth.error.js';
export type {
  WxAccessToken,
  WxAuthorizeParams,
  WxLang,
  WxScope,
  WxUserByCode,
  WxUserInfo,
} from './client/wx-oauth.types.js';
export { WxAuthGuard } from './passport/wx-auth.guard.js';
export type { WxIdField, WxProfile } from './passport/wx-profile.js';
export { WxStrategy } from './passport/wx.strategy.js';
export type { WxStateInfo } from './state/wx-state.store.js';
export { isSafeReturnTo } from './state/return-to.js';
export { WX_OAUTH_STRATEGY } from './wx-oauth.constants.js';
export { InjectWxOAuthOptions, WxAuthScope } from './wx-oauth.decorators.js';
export { WxOAuthModule } from './wx-oauth.module.js';
export type { ResolvedWxOAuthOptions, WxOAuthModuleOptions, WxValidate } from './wx-oauth.options.js';
