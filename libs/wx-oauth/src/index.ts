// The framework-free client: the seed's API, and WeChat's answers under WeChat's own field names.
export { WXOAuth } from './client/wx-oauth.client.js';
export type { WXOAuthOptions } from './client/wx-oauth-client.options.js';
export {
  WxOAuthError,
  WxReauthorizationRequiredError,
  type WxOAuthErrorKind,
} from './client/wx-oauth.error.js';
export type { WxAccessToken, WxScope, WxUserInfo } from './client/wx-oauth.types.js';

// The module, registered once in the root module, and its options.
export { WxOAuthModule } from './wx-oauth.module.js';
export type { WxOAuthModuleAsyncOptions } from './wx-oauth.module-definition.js';
export type {
  WxAppStateOptions,
  WxOAuthModuleOptions,
  WxOAuthOptionsFactory,
} from './options/wx-oauth-module-options.interface.js';
export type { WxAppKind } from './apps/wx-app-kind.js';
export { isWeChatBrowser, isWeComBrowser } from './apps/wx-user-agent.js';
export { InjectWxOAuth, InjectWxOAuthOptions } from './wx-oauth.decorators.js';
export { WX_OAUTH_STORE, WX_STRATEGIES } from './wx-oauth.constants.js';

// Every login kind: one guard, a route decorator per kind, the app's one validator, the user.
export { WxAuthGuard, type WxAuthGuardOptions } from './guard/wx-auth.guard.js';
export { WxUser } from './guard/wx-user.decorator.js';
export { WxValidator } from './profile/wx-validator.decorator.js';
export type {
  WxFollowProfile,
  WxMiniProgramProfile,
  WxMobileAppProfile,
  WxOAuthProfile,
  WxProfile,
  WxWeChatProfile,
} from './profile/wx-profile.js';
export type { WxAuthInfo } from './state/wx-auth-info.interface.js';
export { WxHandoff } from './state/wx-handoff.js';

// WeChat's OAuth2 in the browser: inside WeChat, the website QR page, the QR code embedded in a page.
export { WxAuthScope } from './logins/oauth/wx-auth-scope.decorator.js';
export type { WxAuthenticateOptions } from './logins/oauth/wx-oauth.strategy.js';
export { WxQrLogin } from './logins/oauth/wx-qr-login.js';

// The official account: its message push, and the follow-to-log-in QR login.
export { WxPushReceiver, type WxPushMessage } from './push/wx-push-receiver.js';
export { WxFollowLogin } from './logins/follow/wx-follow-login.js';
export { WxFollowLoginRoute } from './logins/follow/wx-follow-login-route.decorator.js';

// The mini-program: its login route, and its users' session keys kept on the server.
export { WxMiniProgramLoginRoute } from './logins/mini-program/wx-mini-program-login-route.decorator.js';
export { WxMiniProgramSessions } from './logins/mini-program/wx-mini-program-sessions.js';

// Native apps (iOS, Android, HarmonyOS, multi-end): their login route, and the states the server issues them.
export {
  WxAppLoginRoute,
  type WxAppLoginRouteOptions,
} from './logins/app/wx-app-login-route.decorator.js';
export { WxAppStates, type WxAppState } from './logins/app/wx-app-states.js';

// WeCom (企业微信): its login route (inside the WeCom client and on the web), its embedded panel, its profiles.
export {
  WxWeComLoginRoute,
  type WxWeComLoginRouteOptions,
} from './logins/wecom/wx-wecom-login-route.decorator.js';
export {
  WxWeComLoginPanel,
  type WxWeComLoginPanelOptions,
  type WxWeComLoginPanelSettings,
} from './logins/wecom/wx-wecom-login-panel.js';
export type {
  WxWeComMemberProfile,
  WxWeComNonMemberProfile,
  WxWeComProfile,
} from './profile/wx-wecom-profile.js';
export type { WxWeComScope } from './client/wx-wecom.types.js';

// The people behind the logins: WeChat identities linked to the app's users, in memory or the app's database.
export { WxIdentitiesModule } from './identities/wx-identities.module.js';
export type { WxIdentitiesModuleAsyncOptions } from './identities/wx-identities.module-definition.js';
export type { WxIdentitiesModuleOptions } from './identities/wx-identities-options.interface.js';
export { WxIdentities, type WxCreateUser } from './identities/wx-identities.service.js';
export type {
  WxConflictDecision,
  WxIdentity,
  WxIdentityConflict,
  WxResolvedUser,
} from './identities/wx-identity.js';
export type {
  WxIdentityReader,
  WxIdentityStore,
  WxIdentityWriter,
} from './identities/wx-identity-store.interface.js';
export { WxMemoryIdentityStore } from './identities/wx-memory-identity-store.js';

// Many tenants' apps in one deployment.
export type {
  WxAppCredentials,
  WxTenant,
  WxTenantRequest,
  WxTenantResolver,
  WxWeComOptions,
} from './options/wx-tenant.interface.js';
export { WxTenants } from './apps/wx-tenants.js';

// A SaaS on WeChat's third-party platform: merchants' accounts served as tenants, their users logging in on its behalf.
export type { WxComponentOptions } from './options/wx-oauth-module-options.interface.js';
export type { WxAuthorizerApp } from './options/wx-tenant.interface.js';
export {
  WxComponent,
  type WxComponentAuthorization,
  type WxComponentLinks,
} from './component/wx-component.js';
export {
  WxComponentReceiver,
  type WxComponentEvent,
  type WxComponentInfoType,
} from './push/wx-component-receiver.js';
export {
  WxComponentClient,
  type WxAuthorizationLinkOptions,
  type WxComponentClientOptions,
} from './client/wx-component.client.js';
export type { WxOnBehalfOf } from './client/wx-oauth-client.options.js';

// Tokens, and where they and the login records live.
export { WxTokenService } from './tokens/wx-token.service.js';
export { WxAppTokenService } from './tokens/wx-app-token.service.js';
export type { WxOAuthStore } from './store/wx-oauth-store.interface.js';
export { WxMemoryStore } from './store/wx-memory-store.js';
