export { WXOAuth } from './client/wx-oauth.client.js';
export type { WXOAuthOptions } from './client/wx-oauth-client.options.js';
export {
  WxOAuthError,
  WxReauthorizationRequiredError,
  wxErrorStatus,
  type WxOAuthErrorDetails,
  type WxOAuthErrorKind,
} from './client/wx-oauth.error.js';
export type {
  WxAccessToken,
  WxAuthorizeParams,
  WxLang,
  WxScope,
  WxUserByCode,
  WxUserInfo,
} from './client/wx-oauth.types.js';
export { WxAuthGuard } from './passport/wx-auth.guard.js';
export { wxHttpException } from './passport/wx-http-exception.js';
export type { WxIdField, WxProfile } from './passport/wx-profile.js';
export { isWeChatBrowser } from './passport/wx-user-agent.js';
export { WxQrLogin, type WxLoginSettings, type WxQrLoginOptions } from './passport/wx-qr-login.js';
export { WxStrategy, type WxAuthenticateOptions } from './passport/wx.strategy.js';
export type { WxStateInfo } from './state/wx-state.store.js';
export { isSafeReturnTo } from './state/return-to.js';
export { MemoryTokenStore, type MemoryTokenStoreOptions } from './tokens/memory-token-store.js';
export type { WxStoredToken, WxTokenStore } from './tokens/wx-token-store.js';
export { WxTokenService } from './tokens/wx-token.service.js';
export { WX_OAUTH_STRATEGY } from './wx-oauth.constants.js';
export { InjectWxOAuth, InjectWxOAuthOptions, WxAuthScope } from './wx-oauth.decorators.js';
export { WxOAuthModule } from './wx-oauth.module.js';
export type { WxOAuthModuleAsyncOptions } from './wx-oauth.module-definition.js';
export type {
  ResolvedWxOAuthOptions,
  WxAppCredentials,
  WxAppKind,
  WxOAuthModuleOptions,
  WxValidate,
} from './wx-oauth.options.js';
