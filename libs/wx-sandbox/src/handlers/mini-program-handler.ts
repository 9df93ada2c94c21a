import { describeKind, isMiniProgram, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxAppTokens } from '../model/sandbox-app-tokens.js';
import type { SandboxMiniCodes } from '../model/sandbox-mini-codes.js';
import type { SandboxSessions } from '../model/sandbox-sessions.js';
import { DEFAULT_COUNTRY_CODE } from '../model/sandbox-users.js';
import { wxErrorBody, type WxErrcode, type WxErrorBody } from '../model/wx-errors.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';
import { jsonObject } from './request-body.js';

/** The mini-program's server-side endpoints: its login and the phone number. */
export type MiniProgramEndpoint = 'jscode2session' | 'getuserphonenumber';

export interface MiniProgramRequest {
  method: string;
  query: URLSearchParams;
  /** The raw body; JSON for getuserphonenumber. */
  body: string;
}

export interface MiniProgramContext {
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  /** The user as `appid` sees them. */
  user(appid: string, key: string): WxSandboxUser | undefined;
  codes: SandboxMiniCodes;
  sessions: SandboxSessions;
  appTokens: SandboxAppTokens;
  /** Whether WeChat's risk control blocks the person's mini-program login. */
  isHighRisk(userKey: string): boolean;
  /** The sandbox clock, in ms: watermarks carry it in seconds. */
  now(): number;
  /** A fresh request id for an errmsg suffix. */
  rid(): string;
}

/**
 * `/sns/jscode2session` and `/wxa/business/getuserphonenumber`. jscode2session reads the
 * query alone, as the rest of `/sns` does. Errors never echo a parameter, so secrets,
 * codes and tokens cannot leak through them.
 */
export function handleMiniProgram(
  endpoint: MiniProgramEndpoint,
  request: MiniProgramRequest,
  context: MiniProgramContext,
): object {
  const fail = (errcode: WxErrcode, errmsg?: string): WxErrorBody =>
    wxErrorBody(errcode, context.rid(), errmsg);

  switch (endpoint) {
    case 'jscode2session': {
      const param = (name: string): string => request.query.get(name) ?? '';
      if (!param('appid')) return fail(41002);
      const app = context.app(param('appid'));
      if (!app) return fail(40013);
      // Another kind's appid with its own secret: WeChat knows the app, not as a mini-program.
      if (!isMiniProgram(app))
        return fail(40013, `invalid appid, not a mini-program (${describeKind(app.kind)})`);
      if (!param('secret')) return fail(41004);
      if (param('secret') !== app.secret) return fail(40125);
      const session = jsCodeSession(app, param, context);
      return typeof session === 'number' ? fail(session) : session;
    }
    case 'getuserphonenumber': {
      if (request.method !== 'POST') return fail(43002);
      const accessToken = request.query.get('access_token');
      if (!accessToken) return fail(41001);
      const token = context.appTokens.find(accessToken);
      if (typeof token === 'number') return fail(token);
      // Only a mini-program's own token opens its users' numbers; an official account's is refused.
      const app = context.app(token.appid);
      if (!app || !isMiniProgram(app)) return fail(40001);
      const body = jsonObject(request.body);
      if (!body) return fail(47001);
      if (typeof body.code !== 'string' || !body.code) return fail(41008);
      // A used phone code is as invalid as an unknown one here (no 40163, unlike js_code).
      const userKey = context.codes.redeem('phone', body.code, app.appid);
      if (typeof userKey === 'number') return fail(40029);
      const user = context.user(app.appid, userKey);
      // WeChat has no number to reveal: the code leads nowhere.
      if (!user?.phoneNumber) return fail(40029, 'invalid code, the user has no phone number');
      const countryCode = user.countryCode ?? DEFAULT_COUNTRY_CODE;
      return {
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          // With the country code for a number outside the mainland, as WeChat gives it.
          phoneNumber:
            countryCode === DEFAULT_COUNTRY_CODE
              ? user.phoneNumber
              : `+${countryCode}${user.phoneNumber}`,
          purePhoneNumber: user.phoneNumber,
          countryCode,
          watermark: { timestamp: Math.floor(context.now() / 1000), appid: app.appid },
        },
      };
    }
  }
}

/** What jscode2session needs of the sandbox, on its own or through a third-party platform. */
export type JsCodeSessionContext = Pick<
  MiniProgramContext,
  'user' | 'codes' | 'sessions' | 'isHighRisk'
>;

/**
 * jscode2session's answer for the `js_code` and `grant_type` of `param`, the mini-program
 * `app` checked already (by its secret, or its platform's token): the code used up, the
 * session opened; or WeChat's errcode.
 */
export function jsCodeSession(
  app: WxSandboxAppInfo,
  param: (name: string) => string,
  context: JsCodeSessionContext,
): object | WxErrcode {
  if (!param('js_code')) return 41008;
  if (param('grant_type') !== 'authorization_code') return 40002;
  const userKey = context.codes.redeem('login', param('js_code'), app.appid);
  if (typeof userKey === 'number') return userKey;
  // The code is used up either way: WeChat blocks the login, not the code.
  if (context.isHighRisk(userKey)) return 40226;
  const user = context.user(app.appid, userKey);
  if (!user) return 40029;
  return {
    openid: user.openid,
    session_key: context.sessions.open(app.appid, userKey),
    ...(app.openPlatform === undefined ? {} : { unionid: user.unionid }),
  };
}
