import { isMobileApp, isMultiEndApp, mobileAppOf } from '../model/sandbox-apps.js';
import type { SandboxResponse } from './sandbox-response.js';
import {
  NOT_A_TEST_USER,
  helperApp,
  helperJson,
  helperMethodCheck,
  helperUser,
  type HelperDirectory,
} from './browser-helper-response.js';
import { jsonObject } from './request-body.js';
import type {
  WxSandboxAppLoginRequest,
  WxSandboxAppLoginResponse,
  WxSandboxIdentityCodeRequest,
  WxSandboxNativeAppUser,
} from '../wx-sandbox.types.js';

/**
 * The sandbox's stand-in for WeChat inside a native app, for a demo page in a browser:
 * WeChat has no such endpoints (the codes come from the OpenSDK's `SendAuthReq` and a
 * multi-end app's `wx.weixinAppLogin()` on the phone). The page is on another origin, so
 * every answer allows any origin (`browser-helper-response.ts`).
 */
export const APP_USERS_PATH = '/sandbox/app/users';
export const APP_LOGIN_PATH = '/sandbox/app/login';
export const APP_IDENTITY_CODE_PATH = '/sandbox/app/identity-code';

/** The helpers: list the users, the OpenSDK's login, `wx.weixinAppLogin()`. */
export type NativeAppHelper = 'app_users' | 'app_login' | 'app_identity_code';

export interface NativeAppHelperContext extends HelperDirectory {
  /** `WxSandbox.appLogin`. */
  appLogin(request: WxSandboxAppLoginRequest): WxSandboxAppLoginResponse;
  /** `WxSandbox.identityCode`. */
  identityCode(request: WxSandboxIdentityCodeRequest): string;
}

/**
 * `GET /sandbox/app/users?appid=…` (a mobile or multi-end app) → `[{key, nickname}]`;
 * `POST /sandbox/app/login` with JSON `{appid, user, state?}` (a mobile app) → `{code, state?}`;
 * `POST /sandbox/app/identity-code` with JSON `{appid, user}` (a multi-end app) → `{code}`.
 * Bad input is a 400 `{error}`; `OPTIONS` answers the CORS preflight of a JSON POST.
 */
export function handleNativeAppHelper(
  helper: NativeAppHelper,
  method: string,
  query: URLSearchParams,
  body: string,
  context: NativeAppHelperContext,
): SandboxResponse {
  const refused = helperMethodCheck(method, helper === 'app_users' ? 'GET' : 'POST');
  if (refused) return refused;

  if (helper === 'app_users') {
    const app = helperApp(
      query.get('appid'),
      context,
      'a mobile or multi-end app',
      (candidate) => isMobileApp(candidate) || isMultiEndApp(candidate),
    );
    if (typeof app === 'string') return helperJson(400, { error: app });
    const users: WxSandboxNativeAppUser[] = context
      .usersOf(app.appid)
      .map(({ key, nickname }) => ({ key, nickname }));
    return helperJson(200, users);
  }

  const request = jsonObject(body);
  if (!request) {
    const fields = helper === 'app_login' ? '{appid, user, state?}' : '{appid, user}';
    return helperJson(400, { error: `the body must be a JSON object ${fields}` });
  }

  if (helper === 'app_login') {
    const app = helperApp(request.appid, context, 'a mobile app', isMobileApp);
    if (typeof app === 'string') return helperJson(400, { error: app });
    const user = helperUser(request.user, app.appid, context);
    if (user === undefined) return helperJson(400, { error: NOT_A_TEST_USER });
    const { state } = request;
    if (state !== undefined && typeof state !== 'string')
      return helperJson(400, { error: 'state must be a string' });
    return helperJson(200, context.appLogin({ user, appid: app.appid, state }));
  }

  const app = helperApp(request.appid, context, 'a multi-end app', isMultiEndApp);
  if (typeof app === 'string') return helperJson(400, { error: app });
  // Its codes log in as the user of its mobile app, which must be registered.
  const mobileApp = mobileAppOf(app, (appid) => context.app(appid));
  if (!mobileApp) {
    return helperJson(400, { error: "the multi-end app's mobile app is not registered" });
  }
  const user = helperUser(request.user, mobileApp.appid, context);
  if (user === undefined) return helperJson(400, { error: NOT_A_TEST_USER });
  return helperJson(200, { code: context.identityCode({ user, appid: app.appid }) });
}
