import { createHash, randomBytes } from 'node:crypto';
import type { WxSandboxScope } from '../wx-sandbox.types.js';

/**
 * The kinds of WeChat app: an official account (公众号/服务号) logs in inside WeChat
 * through `/connect/oauth2/authorize`; a website app (网站应用) of the Open Platform logs
 * in on a desktop through `/connect/qrconnect`; a mini-program (小程序) has no browser
 * login at all: `wx.login()` gives it a code for `/sns/jscode2session`. A mobile app
 * (移动应用) of the Open Platform gets its code from the OpenSDK and exchanges it at
 * `/sns/oauth2/access_token` as a website app does; a multi-end app (多端应用, "Donut")
 * exchanges its identity codes at `/donut/code2verifyinfo` for its mobile app's openid.
 */
export type WxSandboxAppKind =
  'officialAccount' | 'website' | 'miniProgram' | 'mobileApp' | 'multiEndApp';

/** An app to register with `WxSandbox.start({ apps })`. */
export interface WxSandboxApp {
  appid: string;
  /** @default a random 32-hex string */
  secret?: string;
  kind: WxSandboxAppKind;
  /**
   * The Open Platform account the app is bound to: apps bound to the same one see the
   * same `unionid` for a person. Left out, the app is unbound and WeChat sends no unionid.
   */
  openPlatform?: string;
  /** Shown on the consent and QR pages. @default the `appName` option */
  name?: string;
  /**
   * A multi-end app's mobile app, whose openid its WeChat login gives: required for
   * `kind: 'multiEndApp'`, refused for the others. It must name a registered mobile app by
   * the time it is used (apps may be registered in any order).
   */
  mobileAppid?: string;
}

/**
 * An app as the sandbox holds it. `kind: 'both'` is the app of the single-app form
 * (no `apps` option): a sandbox convenience that takes both flows, which no real
 * WeChat app does.
 */
export interface WxSandboxAppInfo {
  readonly appid: string;
  readonly secret: string;
  readonly kind: WxSandboxAppKind | 'both';
  /** `undefined` for an unbound app: no unionid anywhere. */
  readonly openPlatform: string | undefined;
  readonly name: string;
  /** The scopes this kind of app may ask for. */
  readonly scopes: readonly WxSandboxScope[];
  /** The account's original id (原始ID), `gh_` and 12 hex, stable per appid: `ToUserName` of its pushes. */
  readonly originalId: string;
  /** A multi-end app's mobile app; absent for the other kinds. */
  readonly mobileAppid?: string;
}

/** The Open Platform account of the single-app form, when `unionid` is on. */
export const DEFAULT_OPEN_PLATFORM = 'sandbox-open-platform';

/** What each kind of app is to WeChat; a new kind is one more row. */
interface KindTraits {
  /** How the kind reads in messages, e.g. "official account". */
  readonly name: string;
  /** The scopes this kind of app may ask for at the authorize pages. */
  readonly scopes: readonly WxSandboxScope[];
  /** Whether it gets its own access token from `/cgi-bin/stable_token`. */
  readonly appToken: boolean;
}

const KINDS: Readonly<Record<WxSandboxAppInfo['kind'], KindTraits>> = {
  officialAccount: {
    name: 'official account',
    scopes: ['snsapi_base', 'snsapi_userinfo'],
    appToken: true,
  },
  website: { name: 'website app', scopes: ['snsapi_login'], appToken: false },
  // No browser scope: the authorize pages refuse its appid as the wrong kind of app.
  miniProgram: { name: 'mini-program', scopes: [], appToken: true },
  // Their codes come from the OpenSDK and the multi-end framework, never from a browser page;
  // a multi-end app needs its token for `/donut/code2verifyinfo`.
  mobileApp: { name: 'mobile app', scopes: [], appToken: false },
  multiEndApp: { name: 'multi-end app', scopes: [], appToken: true },
  both: {
    name: 'sandbox app (both flows)',
    scopes: ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'],
    appToken: true,
  },
};

/** The kinds the `apps` option takes: every one but the single-app form's `both`. */
const APP_KINDS: readonly string[] = Object.keys(KINDS).filter((kind) => kind !== 'both');

/** How the app's kind reads in messages, e.g. "official account". */
export function describeKind(kind: WxSandboxAppInfo['kind']): string {
  return KINDS[kind].name;
}

/** The app of the single-app form: `appid`, `secret`, `unionid` and `appName`. */
export function singleApp(
  appid: string,
  secret: string,
  unionid: boolean,
  name: string,
): WxSandboxAppInfo {
  return freezeApp({
    appid,
    secret,
    kind: 'both',
    openPlatform: unionid ? DEFAULT_OPEN_PLATFORM : undefined,
    name,
  });
}

/** Validates the `apps` option; appids must be unique, the list not empty. */
export function resolveApps(
  apps: readonly WxSandboxApp[],
  defaultName: string,
): WxSandboxAppInfo[] {
  if (!Array.isArray(apps) || apps.length === 0)
    throw new Error('WxSandbox: apps must not be empty');
  const seen = new Set<string>();
  return apps.map((app) => {
    const resolved = resolveApp(app, defaultName);
    if (seen.has(resolved.appid)) throw new Error(`WxSandbox: duplicate appid '${resolved.appid}'`);
    seen.add(resolved.appid);
    return resolved;
  });
}

/** Validates one app of the `apps` option (or of `addApp`), its secret random when left out. */
export function resolveApp(app: WxSandboxApp, defaultName: string): WxSandboxAppInfo {
  if (!app || typeof app.appid !== 'string' || !app.appid)
    throw new Error('WxSandbox: every app needs an appid');
  if (!APP_KINDS.includes(app.kind)) {
    const kinds = APP_KINDS.map((kind) => `'${kind}'`);
    throw new Error(
      `WxSandbox: app '${app.appid}' needs kind ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`,
    );
  }
  if (app.secret !== undefined && (typeof app.secret !== 'string' || !app.secret)) {
    throw new Error(`WxSandbox: app '${app.appid}' has an empty secret`);
  }
  if (
    app.openPlatform !== undefined &&
    (typeof app.openPlatform !== 'string' || !app.openPlatform)
  ) {
    throw new Error(`WxSandbox: app '${app.appid}' has an empty openPlatform`);
  }
  return freezeApp({
    appid: app.appid,
    secret: app.secret ?? randomSecret(),
    kind: app.kind,
    openPlatform: app.openPlatform,
    name: app.name || defaultName,
    ...mobileAppidOf(app),
  });
}

/** A multi-end app's `mobileAppid`, which it must have and no other kind may. */
function mobileAppidOf(app: WxSandboxApp): Pick<WxSandboxAppInfo, 'mobileAppid'> {
  if (app.kind !== 'multiEndApp') {
    if (app.mobileAppid !== undefined)
      throw new Error(
        `WxSandbox: app '${app.appid}' has a mobileAppid, which only a multiEndApp has`,
      );
    return {};
  }
  if (typeof app.mobileAppid !== 'string' || !app.mobileAppid)
    throw new Error(
      `WxSandbox: multi-end app '${app.appid}' needs the mobileAppid of its mobile app`,
    );
  return { mobileAppid: app.mobileAppid };
}

/** The app with another secret (random when left out), as the console's reset gives it. */
export function withSecret(app: WxSandboxAppInfo, secret?: string): WxSandboxAppInfo {
  if (secret !== undefined && (typeof secret !== 'string' || !secret)) {
    throw new Error(`WxSandbox: app '${app.appid}' needs a non-empty secret`);
  }
  return Object.freeze({ ...app, secret: secret ?? randomSecret() });
}

/** 32 hex, the shape of WeChat's AppSecrets. */
export function randomSecret(): string {
  return randomBytes(16).toString('hex');
}

/** Whether the app is an official account, the only kind with followers and its `/cgi-bin` API. */
export function isOfficialAccount(app: WxSandboxAppInfo): boolean {
  return app.kind === 'officialAccount' || app.kind === 'both';
}

/** Whether the app is a mini-program, the only kind with `jscode2session` and phone numbers. */
export function isMiniProgram(app: WxSandboxAppInfo): boolean {
  return app.kind === 'miniProgram';
}

/** Whether the app is a mobile app, whose OpenSDK codes `/sns/oauth2/access_token` takes. */
export function isMobileApp(app: WxSandboxAppInfo): boolean {
  return app.kind === 'mobileApp';
}

/** Whether the app is a multi-end app, the only kind with `/donut/code2verifyinfo`. */
export function isMultiEndApp(app: WxSandboxAppInfo): boolean {
  return app.kind === 'multiEndApp';
}

/**
 * Whether the app may get its own access token from `/cgi-bin/stable_token`: a multi-end
 * app needs one for `/donut/code2verifyinfo`; website and mobile apps have none.
 */
export function hasAppToken(app: WxSandboxAppInfo): boolean {
  return KINDS[app.kind].appToken;
}

/**
 * A multi-end app's mobile app, whose user its login gives: `undefined` when it names no
 * registered mobile app (apps come and go), and for every other kind.
 */
export function mobileAppOf(
  app: WxSandboxAppInfo,
  lookup: (appid: string) => WxSandboxAppInfo | undefined,
): WxSandboxAppInfo | undefined {
  const mobileApp = app.mobileAppid === undefined ? undefined : lookup(app.mobileAppid);
  return mobileApp && isMobileApp(mobileApp) ? mobileApp : undefined;
}

/**
 * The app a facade method acts for: `appid`, which must be of `kind`, or else the one app
 * of that kind; throws when there is none or more than one to choose from.
 */
export function appOfKind(
  apps: readonly WxSandboxAppInfo[],
  kind: WxSandboxAppKind,
  appid: string | undefined,
  method: string,
): WxSandboxAppInfo {
  const name = describeKind(kind);
  if (appid !== undefined) {
    const app = apps.find((candidate) => candidate.appid === appid);
    if (!app) throw new Error(`WxSandbox: no app with appid '${appid}'`);
    if (app.kind !== kind)
      throw new Error(`WxSandbox: app '${appid}' (${describeKind(app.kind)}) is not a ${name}`);
    return app;
  }
  const ofKind = apps.filter((app) => app.kind === kind);
  if (ofKind.length === 1) return ofKind[0];
  throw new Error(
    ofKind.length === 0
      ? `WxSandbox: ${method}() needs a ${name}, and none is registered`
      : `WxSandbox: ${method}() needs an appid: ${ofKind.length} ${name}s are registered ` +
          `(${ofKind.map((app) => app.appid).join(', ')})`,
  );
}

function freezeApp(app: Omit<WxSandboxAppInfo, 'scopes' | 'originalId'>): WxSandboxAppInfo {
  return Object.freeze({
    ...app,
    scopes: Object.freeze([...KINDS[app.kind].scopes]),
    originalId: `gh_${createHash('sha256').update(app.appid).digest('hex').slice(0, 12)}`,
  });
}
