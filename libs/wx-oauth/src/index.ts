// The framework-free client: the seed's API.
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
  WxAppAccessToken,
  WxAuthorizeParams,
  WxFollower,
  WxLang,
  WxMiniProgramSession,
  WxPhoneInfo,
  WxQrCode,
  WxScope,
  WxUserByCode,
  WxUserInfo,
} from './client/wx-oauth.types.js';

// The module.
export { WxOAuthModule } from './wx-oauth.module.js';
export type { WxOAuthModuleAsyncOptions } from './wx-oauth.module-definition.js';
export type * from './interfaces/index.js';
export { WX_OAUTH_STORE, WX_OAUTH_STRATEGY } from './wx-oauth.constants.js';
export {
  InjectWxOAuth,
  InjectWxOAuthOptions,
  WxAuthScope,
  WxFollowLoginRoute,
  WxMiniProgramLoginRoute,
} from './wx-oauth.decorators.js';

// Which app serves a login; many tenants' apps in one deployment.
export type { WxAppKind } from './apps/wx-app-kind.js';
export type { WxTenant, WxTenantRequest, WxTenantResolver } from './tenants/wx-tenant.interface.js';
export { WxTenants } from './tenants/wx-tenants.js';
export { isWeChatBrowser } from './apps/wx-user-agent.js';

// The login: Passport, the profile, the embedded QR code.
export { WxAuthGuard } from './passport/wx-auth.guard.js';
export { WxStrategy } from './passport/wx.strategy.js';
export type { WxAuthenticateOptions } from './passport/wx-oauth2.strategy.js';
export { WxLogin } from './login/wx-login.js';
export { WxHandoff } from './login/wx-handoff.js';
export type {
  WxFollowProfile,
  WxIdField,
  WxMiniProgramProfile,
  WxOAuthProfile,
  WxProfile,
} from './login/wx-profile.js';
export { WxQrLogin, type WxLoginSettings, type WxQrLoginOptions } from './login/wx-qr-login.js';
export { isSafeReturnTo } from './state/return-to.js';

// The official account: its app token, its message push, the follow-to-log-in QR code.
export { WxAppTokenService } from './app-token/wx-app-token.service.js';
export { WxPushReceiver, type WxPushMessage } from './push/wx-push-receiver.js';
export type { WxPushFields } from './push/wx-push-message.js';
export {
  WxFollowLogin,
  type WxFollowQrCode,
  type WxFollowStatus,
} from './follow/wx-follow-login.js';

// The mini-program: its login, and its users' session keys kept on the server.
export { WxMiniProgramLogin } from './mini-program/wx-mini-program-login.js';
export { WxMiniProgramSessions } from './mini-program/wx-mini-program-sessions.js';
export type { WxMiniProgramLoginBody } from './mini-program/mini-program-login-body.js';

// WeChat's failures as HTTP errors.
export { wxHttpException } from './errors/wx-http-exception.js';
export { WxOAuthExceptionFilter } from './errors/wx-oauth-exception.filter.js';

// Where tokens and login records live.
export type { WxOAuthStore } from './store/wx-oauth-store.interface.js';
export { WxMemoryStore, type WxMemoryStoreOptions } from './store/wx-memory-store.js';
export { WxTokenService } from './tokens/wx-token.service.js';
export type { WxStoredToken } from './tokens/wx-stored-token.js';
