import { hasAppToken, isOfficialAccount, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import type { SandboxAppTokens } from '../model/sandbox-app-tokens.js';
import type { SandboxFollowers } from '../model/sandbox-followers.js';
import { QR_URL_PREFIX, type SandboxQrCodes } from '../model/sandbox-qr-codes.js';
import { wxErrorBody, type WxErrcode, type WxErrorBody } from '../model/wx-errors.js';
import { jsonObject } from './request-body.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';

/** The official account's API endpoints under `/cgi-bin`. */
export type CgiBinEndpoint = 'stable_token' | 'qrcode_create' | 'user_info';

export interface CgiBinRequest {
  method: string;
  query: URLSearchParams;
  /** The raw body; JSON for the POST endpoints. */
  body: string;
}

export interface CgiBinContext {
  /** The registered app with this appid, if any. */
  app(appid: string): WxSandboxAppInfo | undefined;
  /** The people as `appid` sees them. */
  usersOf(appid: string): readonly WxSandboxUser[];
  appTokens: SandboxAppTokens;
  /**
   * The account behind an `authorizer_access_token`, which a third-party platform calls the
   * merchant's API with in place of the account's own token.
   */
  authorizerToken(token: string): { appid: string } | 40001 | 42001;
  qrCodes: SandboxQrCodes;
  followers: SandboxFollowers;
  /** Base URL browsers and phones reach the sandbox at: QR codes point there. */
  publicUrl: string;
  /** A fresh request id for an errmsg suffix. */
  rid(): string;
}

/** A temporary code lives 30 s unless asked otherwise, and 30 days at most. */
const QR_DEFAULT_SECONDS = 30;
const QR_MAX_SECONDS = 2_592_000;
const SCENE_STR_MAX = 64;
const LANGS = new Set(['zh_CN', 'zh_TW', 'en']);

/**
 * `/cgi-bin/stable_token` (for official accounts, mini-programs and multi-end apps), `/cgi-bin/qrcode/create`
 * and `/cgi-bin/user/info` (official accounts only). As on
 * `/sns`, errors never echo a parameter, so secrets and tokens cannot leak through them.
 */
export function handleCgiBin(
  endpoint: CgiBinEndpoint,
  request: CgiBinRequest,
  context: CgiBinContext,
): object {
  const fail = (errcode: WxErrcode, errmsg?: string): WxErrorBody =>
    wxErrorBody(errcode, context.rid(), errmsg);

  switch (endpoint) {
    case 'stable_token': {
      if (request.method !== 'POST') return fail(43002);
      const body = jsonObject(request.body);
      if (!body) return fail(47001);
      if (body.grant_type !== 'client_credential') return fail(40002);
      if (typeof body.appid !== 'string' || !body.appid) return fail(41002);
      const app = context.app(body.appid);
      // Official accounts, mini-programs and multi-end apps have app tokens; website and
      // mobile apps have none.
      if (!app || !hasAppToken(app)) return fail(40013);
      if (typeof body.secret !== 'string' || !body.secret) return fail(41004);
      if (body.secret !== app.secret) return fail(40125);
      const token = context.appTokens.stableToken(app.appid, body.force_refresh === true);
      return { access_token: token.token, expires_in: context.appTokens.expiresIn(token) };
    }
    case 'qrcode_create': {
      if (request.method !== 'POST') return fail(43002);
      const token = appToken(request.query, context);
      if (typeof token === 'number') return fail(token);
      const body = jsonObject(request.body);
      if (!body) return fail(47001);
      const scene = requestedScene(body);
      if (!scene) return fail(40003, 'invalid scene');
      const expireSeconds = expireSecondsOf(body.expire_seconds);
      if (expireSeconds === undefined) return fail(47001);
      const code = context.qrCodes.create(token.appid, scene, expireSeconds);
      return {
        ticket: code.ticket,
        expire_seconds: expireSeconds,
        url: `${context.publicUrl}${QR_URL_PREFIX}${code.id}`,
      };
    }
    case 'user_info': {
      const token = appToken(request.query, context);
      if (typeof token === 'number') return fail(token);
      const openid = request.query.get('openid');
      if (!openid) return fail(41009);
      if (!LANGS.has(request.query.get('lang') ?? 'zh_CN')) return fail(40006);
      const user = context.usersOf(token.appid).find((candidate) => candidate.openid === openid);
      if (!user) return fail(40003);
      const follow = context.followers.get(token.appid, user.key);
      if (!follow) return { subscribe: 0, openid };
      // Nickname and avatar are gone from this answer since 2021-12-27.
      return {
        subscribe: 1,
        openid,
        language: request.query.get('lang') ?? 'zh_CN',
        subscribe_time: follow.subscribeTime,
        ...(context.app(token.appid)?.openPlatform === undefined ? {} : { unionid: user.unionid }),
        remark: '',
        groupid: 0,
        tagid_list: [],
        subscribe_scene: follow.scene,
        qr_scene: follow.qrScene,
        qr_scene_str: follow.qrSceneStr,
      };
    }
  }
}

/**
 * The live app token in `access_token` (the account's own, or a platform's authorizer token
 * for it), an official account's: a mini-program's token is
 * refused (48001), as WeChat keeps the official account's API from mini-programs.
 */
function appToken(
  query: URLSearchParams,
  context: CgiBinContext,
): { appid: string } | 41001 | 40001 | 42001 | 48001 {
  const accessToken = query.get('access_token');
  if (!accessToken) return 41001;
  const own = context.appTokens.find(accessToken);
  const token = own === 40001 ? context.authorizerToken(accessToken) : own;
  if (typeof token === 'number') return token;
  const app = context.app(token.appid);
  return app && isOfficialAccount(app) ? token : 48001;
}

/** A temporary code's scene: `QR_STR_SCENE` with 1–64 chars, or `QR_SCENE` with a non-zero 32-bit id. */
function requestedScene(
  body: Record<string, unknown>,
): { sceneStr: string; sceneId: number } | undefined {
  const info = body.action_info as { scene?: { scene_str?: unknown; scene_id?: unknown } } | null;
  const scene = typeof info === 'object' && info !== null ? info.scene : undefined;
  if (typeof scene !== 'object' || scene === null) return undefined;
  if (body.action_name === 'QR_STR_SCENE') {
    const value = scene.scene_str;
    return typeof value === 'string' && value.length >= 1 && value.length <= SCENE_STR_MAX
      ? { sceneStr: value, sceneId: 0 }
      : undefined;
  }
  if (body.action_name === 'QR_SCENE') {
    const value = scene.scene_id;
    return Number.isInteger(value) && (value as number) > 0 && (value as number) <= 0xffffffff
      ? { sceneStr: '', sceneId: value as number }
      : undefined;
  }
  return undefined;
}

/** Left out, 30 s; beyond 30 days, 30 days; not a positive number, `undefined`. */
function expireSecondsOf(value: unknown): number | undefined {
  if (value === undefined) return QR_DEFAULT_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) return undefined;
  return Math.min(Math.floor(value), QR_MAX_SECONDS);
}
