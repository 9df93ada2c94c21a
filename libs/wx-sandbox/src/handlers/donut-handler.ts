import { createHash } from 'node:crypto';
import { isMultiEndApp, mobileAppOf, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxAppTokens } from '../model/sandbox-app-tokens.js';
import type { SandboxMiniCodes } from '../model/sandbox-mini-codes.js';
import { wxErrorBody, type WxErrcode, type WxErrorBody } from '../model/wx-errors.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';

export interface DonutRequest {
  method: string;
  query: URLSearchParams;
}

export interface DonutContext {
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  /** The user as `appid` sees them. */
  user(appid: string, key: string): WxSandboxUser | undefined;
  codes: SandboxMiniCodes;
  appTokens: SandboxAppTokens;
  /** Whether WeChat's risk control blocks the person's login. */
  isHighRisk(userKey: string): boolean;
  /** The sandbox clock, in ms: `login_time` carries it in seconds. */
  now(): number;
  /** A fresh request id for an errmsg suffix. */
  rid(): string;
}

/**
 * `GET /donut/code2verifyinfo?access_token=&appid=&appsecret=&code=&grant_type=`: a
 * multi-end app's identity code (`wx.weixinAppLogin`, `wx.getIdentityCode`) turned into the
 * user: a `user_id` of the multi-end app, and the openid (and unionid) of its mobile app.
 * The access token is the multi-end app's own, from `/cgi-bin/stable_token`. The secret
 * parameter is `appsecret`: one sent as `secret`, as `/sns` names it, is 10001003. Errors
 * never echo a parameter, so secrets, codes and tokens cannot leak through them.
 */
export function handleCode2VerifyInfo(request: DonutRequest, context: DonutContext): object {
  const fail = (errcode: WxErrcode, errmsg?: string): WxErrorBody =>
    wxErrorBody(errcode, context.rid(), errmsg);
  const param = (name: string): string => request.query.get(name) ?? '';

  if (request.method !== 'GET') return fail(43001);
  if (!param('access_token')) return fail(41001);
  const token = context.appTokens.find(param('access_token'));
  if (typeof token === 'number') return fail(token);
  const app = context.app(param('appid'));
  if (!app || !isMultiEndApp(app)) return fail(10001002);
  // Only the multi-end app's own token: another app's, even a live one, is no credential here.
  if (token.appid !== app.appid) return fail(40001);
  if (param('appsecret') !== app.secret) return fail(10001003);
  if (param('grant_type') !== 'authorization_code') return fail(10001004);
  const taken = context.codes.take('identity', param('code'), app.appid);
  if ('refused' in taken) return fail(taken.refused === 'expired' ? 10001000 : 10001001);
  // The code is used up either way: WeChat blocks the login, not the code.
  if (context.isHighRisk(taken.userKey)) return fail(40226);
  const mobileApp = mobileAppOf(app, (appid) => context.app(appid));
  const user = mobileApp && context.user(mobileApp.appid, taken.userKey);
  // The mobile app was taken away after the code was minted: the console's binding is broken.
  if (!mobileApp || !user) return fail(10001002, 'appid错误, the bound mobile app is gone');
  return {
    errcode: 0,
    errmsg: 'ok',
    login_info: { type: 'weixinApp', login_time: Math.floor(context.now() / 1000) },
    user_info: {
      user_id: donutUserId(app.appid, user.key),
      openapp_info: {
        appid: mobileApp.appid,
        openid: user.openid,
        ...(mobileApp.openPlatform === undefined ? {} : { unionid: user.unionid }),
        nickname: user.nickname,
        headimgurl: user.headimgurl,
      },
    },
  };
}

/** The multi-end app's own id of the person (多端用户ID): stable per (multi-end app, user). */
function donutUserId(appid: string, userKey: string): string {
  return createHash('sha256').update(`donut:${appid}:${userKey}`).digest('hex').slice(0, 32);
}
