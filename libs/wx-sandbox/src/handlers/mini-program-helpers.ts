import { isMiniProgram } from '../model/sandbox-apps.js';
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
import type { WxSandboxMiniProgramUser } from '../wx-sandbox.types.js';

/**
 * The sandbox's stand-in for the mini-program client, for a demo page in a browser:
 * WeChat has no such endpoints (the codes come from `wx.login()` and the getPhoneNumber
 * button inside WeChat). The page is on another origin, so every answer allows any origin
 * (`browser-helper-response.ts`).
 */
export const MINI_PROGRAM_USERS_PATH = '/sandbox/miniprogram/users';
export const MINI_PROGRAM_LOGIN_PATH = '/sandbox/miniprogram/login';
export const MINI_PROGRAM_PHONE_CODE_PATH = '/sandbox/miniprogram/phone-code';

/** The helpers: list the users, `wx.login()`, tap getPhoneNumber. */
export type MiniProgramHelper = 'mini_users' | 'mini_login' | 'mini_phone_code';

export interface MiniProgramHelperContext extends HelperDirectory {
  /** `WxSandbox.wxLogin`. */
  wxLogin(userKey: string, appid: string): string;
  /** `WxSandbox.phoneCode`. */
  phoneCode(userKey: string, appid: string): string;
}

/**
 * `GET /sandbox/miniprogram/users?appid=…` → `[{key, nickname, hasPhone}]`;
 * `POST /sandbox/miniprogram/login` and `/phone-code` with JSON `{appid, user}` → `{code}`.
 * Bad input is a 400 `{error}`; `OPTIONS` answers the CORS preflight of a JSON POST.
 */
export function handleMiniProgramHelper(
  helper: MiniProgramHelper,
  method: string,
  query: URLSearchParams,
  body: string,
  context: MiniProgramHelperContext,
): SandboxResponse {
  const refused = helperMethodCheck(method, helper === 'mini_users' ? 'GET' : 'POST');
  if (refused) return refused;

  if (helper === 'mini_users') {
    const app = helperApp(query.get('appid'), context, 'a mini-program', isMiniProgram);
    if (typeof app === 'string') return helperJson(400, { error: app });
    const users: WxSandboxMiniProgramUser[] = context.usersOf(app.appid).map((user) => ({
      key: user.key,
      nickname: user.nickname,
      hasPhone: user.phoneNumber !== undefined,
    }));
    return helperJson(200, users);
  }

  const request = jsonObject(body);
  if (!request) return helperJson(400, { error: 'the body must be a JSON object {appid, user}' });
  const app = helperApp(request.appid, context, 'a mini-program', isMiniProgram);
  if (typeof app === 'string') return helperJson(400, { error: app });
  const userKey = helperUser(request.user, app.appid, context);
  if (userKey === undefined) return helperJson(400, { error: NOT_A_TEST_USER });
  const code =
    helper === 'mini_login'
      ? context.wxLogin(userKey, app.appid)
      : context.phoneCode(userKey, app.appid);
  return helperJson(200, { code });
}
