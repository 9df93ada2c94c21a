export { WxSandbox } from './wx-sandbox.js';
export type { WxSandboxOptions, WxSandboxTlsOptions } from './wx-sandbox.options.js';
export type { WxSandboxApp, WxSandboxAppInfo, WxSandboxAppKind } from './model/sandbox-apps.js';
export {
  DEFAULT_SANDBOX_COMPONENT_APPID,
  type WxSandboxComponent,
  type WxSandboxComponentInfo,
} from './model/sandbox-components.js';
export {
  DEFAULT_SANDBOX_AGENTID,
  DEFAULT_SANDBOX_CORPID,
  type WxSandboxCorp,
  type WxSandboxCorpApp,
  type WxSandboxCorpAppInfo,
  type WxSandboxCorpInfo,
  type WxSandboxMember,
  type WxSandboxMemberSeed,
  type WxSandboxNonMember,
  type WxSandboxNonMemberSeed,
} from './model/wecom-corps.js';
export type {
  WxSandboxAppLoginRequest,
  WxSandboxAppLoginResponse,
  WxSandboxComponentAuthorization,
  WxSandboxComponentAuthorizeRequest,
  WxSandboxComponentEvent,
  WxSandboxComponentInfoType,
  WxSandboxEncryptedData,
  WxSandboxEndpoint,
  WxSandboxFault,
  WxSandboxIdentityCodeRequest,
  WxSandboxMessagePush,
  WxSandboxMiniProgramUser,
  WxSandboxNativeAppUser,
  WxSandboxPushAttempt,
  WxSandboxPushReply,
  WxSandboxPushResult,
  WxSandboxRequestRecord,
  WxSandboxScope,
  WxSandboxStats,
  WxSandboxUser,
  WxSandboxUserSeed,
  WxSandboxWeComCodeRequest,
  WxSandboxWeComScope,
} from './wx-sandbox.types.js';
export {
  loginThroughSandbox,
  type LoginThroughSandboxOptions,
  type SandboxLoginApp,
  type SandboxLogin,
} from './helpers/login-through-sandbox.js';
export { qrCodeSvg } from './pages/qr-code-svg.js';
export { CookieJar } from './helpers/cookie-jar.js';
export { runSandboxCommand } from './helpers/sandbox-command.js';
