import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import {
  SCAN_PATH,
  handleAuthorize,
  handleDecide,
  type AuthorizeContext,
} from './handlers/authorize-handler.js';
import { avatarKey, avatarResponse } from './handlers/avatar.js';
import {
  handleCgiBin,
  type CgiBinContext,
  type CgiBinEndpoint,
} from './handlers/cgi-bin-handler.js';
import {
  FOLLOW_SCAN_PATH,
  SHOW_QRCODE_PATH,
  handleFollowQrPage,
  handleFollowScan,
  handleShowQrcode,
  qrCodeId,
  type FollowQrContext,
} from './handlers/follow-qr-handler.js';
import {
  handleMiniProgram,
  type MiniProgramContext,
  type MiniProgramEndpoint,
} from './handlers/mini-program-handler.js';
import {
  MINI_PROGRAM_LOGIN_PATH,
  MINI_PROGRAM_PHONE_CODE_PATH,
  MINI_PROGRAM_USERS_PATH,
  handleMiniProgramHelper,
  type MiniProgramHelper,
} from './handlers/mini-program-helpers.js';
import { readBody } from './handlers/request-body.js';
import { checkMessagePush } from './model/message-push-settings.js';
import { followScan } from './model/follow-scan.js';
import { encryptOpenData, signRawData } from './model/mini-program-crypto.js';
import { randomRid } from './model/random-strings.js';
import { SandboxAppTokens } from './model/sandbox-app-tokens.js';
import { SandboxAppUsers } from './model/sandbox-app-users.js';
import {
  describeKind,
  isMiniProgram,
  isOfficialAccount,
  resolveApp,
  withSecret,
  type WxSandboxApp,
  type WxSandboxAppInfo,
} from './model/sandbox-apps.js';
import { SandboxClock } from './model/sandbox-clock.js';
import { SandboxFaults } from './model/sandbox-faults.js';
import { SandboxFollowers } from './model/sandbox-followers.js';
import { SandboxGrants } from './model/sandbox-grants.js';
import { SandboxMiniCodes } from './model/sandbox-mini-codes.js';
import { SandboxQrCodes } from './model/sandbox-qr-codes.js';
import { SandboxSessions } from './model/sandbox-sessions.js';
import {
  checkPushUrl,
  pushMessage,
  type PushContext,
  type PushTarget,
} from './push/message-pusher.js';
import { scanEventXml } from './push/push-xml.js';
import {
  htmlPage,
  javascript,
  plainText,
  wxJson,
  type SandboxResponse,
} from './handlers/sandbox-response.js';
import { DEFAULT_SANDBOX_USERS } from './model/sandbox-users.js';
import { handleSns, type SnsContext } from './handlers/sns-handler.js';
import { wxErrorBody } from './model/wx-errors.js';
import { handleWxLoginFrame } from './handlers/wx-login-frame.js';
import {
  WX_LOGIN_JS_PATH,
  WX_LOGIN_JS_SHORT_PATH,
  wxLoginScript,
} from './handlers/wx-login-script.js';
import {
  resolveSandboxOptions,
  type ResolvedWxSandboxOptions,
  type WxSandboxOptions,
} from './wx-sandbox.options.js';
import type {
  WxSandboxEncryptedData,
  WxSandboxEndpoint,
  WxSandboxFault,
  WxSandboxMessagePush,
  WxSandboxPushResult,
  WxSandboxScope,
  WxSandboxStats,
  WxSandboxUser,
} from './wx-sandbox.types.js';

type FrontRoute =
  | 'authorize'
  | 'qrconnect'
  | 'scan'
  | 'decide'
  | 'avatar'
  | 'wx_login_js'
  | 'showqrcode'
  | 'follow_qr'
  | 'follow_scan'
  | MiniProgramHelper;
type Route = WxSandboxEndpoint | FrontRoute | 'not_found';

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/connect/oauth2/authorize', 'authorize'],
  ['/connect/qrconnect', 'qrconnect'],
  [SCAN_PATH, 'scan'],
  ['/connect/sandbox/decide', 'decide'],
  [WX_LOGIN_JS_PATH, 'wx_login_js'],
  [WX_LOGIN_JS_SHORT_PATH, 'wx_login_js'],
  ['/sns/oauth2/access_token', 'access_token'],
  ['/sns/oauth2/refresh_token', 'refresh_token'],
  ['/sns/auth', 'auth'],
  ['/sns/userinfo', 'userinfo'],
  ['/cgi-bin/stable_token', 'stable_token'],
  ['/cgi-bin/qrcode/create', 'qrcode_create'],
  ['/cgi-bin/user/info', 'user_info'],
  [SHOW_QRCODE_PATH, 'showqrcode'],
  [FOLLOW_SCAN_PATH, 'follow_scan'],
  ['/sns/jscode2session', 'jscode2session'],
  ['/wxa/business/getuserphonenumber', 'getuserphonenumber'],
  [MINI_PROGRAM_USERS_PATH, 'mini_users'],
  [MINI_PROGRAM_LOGIN_PATH, 'mini_login'],
  [MINI_PROGRAM_PHONE_CODE_PATH, 'mini_phone_code'],
]);

const ALL_ROUTES: readonly Route[] = [
  ...new Set(ROUTES.values()),
  'avatar',
  'follow_qr',
  'not_found',
];
const CGI_BIN_ENDPOINTS: ReadonlySet<Route> = new Set<CgiBinEndpoint>([
  'stable_token',
  'qrcode_create',
  'user_info',
]);
const MINI_PROGRAM_ENDPOINTS: ReadonlySet<Route> = new Set<MiniProgramEndpoint>([
  'jscode2session',
  'getuserphonenumber',
]);
const API_ENDPOINTS: ReadonlySet<Route> = new Set<Route>([
  'access_token',
  'refresh_token',
  'auth',
  'userinfo',
  ...CGI_BIN_ENDPOINTS,
  ...MINI_PROGRAM_ENDPOINTS,
]);
/**
 * The routes whose body is read: the cgi-bin and wxa POSTs' JSON, the scan form and the
 * mini-program helpers' JSON.
 */
const BODY_ROUTES: ReadonlySet<Route> = new Set<Route>([
  'stable_token',
  'qrcode_create',
  'getuserphonenumber',
  'follow_scan',
  'mini_login',
  'mini_phone_code',
]);
const SCOPES: ReadonlySet<string> = new Set<WxSandboxScope>([
  'snsapi_base',
  'snsapi_userinfo',
  'snsapi_login',
]);

/**
 * A local WeChat: the authorize pages of open.weixin.qq.com and the `/sns` API of
 * api.weixin.qq.com on one `node:http` server, with test users, a clock tests can
 * move, and faults to inject. Point both `apiBaseUrl` and `openBaseUrl` at `url`.
 * Browsers get pages that look like WeChat's: a consent page, a QR login page whose
 * code (or `a#simulate-scan`) opens `/connect/sandbox/scan`, and default avatars
 * served from `/sandbox/avatar/<key>.svg`, all without internet.
 *
 * Official accounts also have the follow-to-log-in side of WeChat: `/cgi-bin/stable_token`,
 * parametric QR codes (`/cgi-bin/qrcode/create`, `/cgi-bin/showqrcode`, and the page at a
 * code's `url` where a test user scans it), `/cgi-bin/user/info`, followers, and the message
 * push of `subscribe`/`SCAN` events to the app's URL (`setMessagePush`), signed, encrypted in
 * safe mode, and retried as WeChat does.
 *
 * Mini-programs have their side of WeChat too: `wxLogin` and `phoneCode` stand in for
 * `wx.login()` and the getPhoneNumber button, `/sns/jscode2session` answers the openid,
 * unionid and a fresh session_key, `/wxa/business/getuserphonenumber` the phone number
 * (with the mini-program's own token from `/cgi-bin/stable_token`), and `signUserData` and
 * `encryptUserData` make the data a mini-program sends, as the server must verify it. A demo
 * page reaches the same stand-ins over HTTP under `/sandbox/miniprogram/` (CORS open).
 *
 * It holds WeChat's apps: official accounts (`/connect/oauth2/authorize`), website apps
 * (`/connect/qrconnect`, and the iframe of its `wxLogin.js`) and mini-programs, each with
 * its own secret, openids and, when bound to an Open Platform account, unionids shared
 * with the apps bound to the same one. Without the `apps` option it holds one app that takes both
 * flows, a convenience of the sandbox that no real WeChat app has. With `apps`, apps come
 * and go while it runs (`addApp`, `removeApp`) and secrets are reset (`setSecret`), as a
 * multi-tenant service sees its tenants' apps do.
 *
 * @example
 * const wx = await WxSandbox.start({ autoApprove: 'alice' });
 * // ... new WXOAuth({ appid: wx.appid, secret: wx.secret, apiBaseUrl: wx.url, openBaseUrl: wx.url })
 * await wx.close();
 *
 * @example
 * const wx = await WxSandbox.start({ apps: [
 *   { appid: 'wx0mp', kind: 'officialAccount', openPlatform: 'acme' },
 *   { appid: 'wx0web', kind: 'website', openPlatform: 'acme' },
 *   { appid: 'wx0mini', kind: 'miniProgram', openPlatform: 'acme' },
 * ] });
 * wx.app('wx0web').secret; wx.openidOf('alice', 'wx0web'); wx.unionidOf('alice', 'wx0mp');
 */
export class WxSandbox {
  /** Base URL of both the authorize pages and the `/sns` API, e.g. `http://127.0.0.1:54321` (`https://` with `tls`). */
  readonly url: string;
  /** Base URL browsers reach the sandbox at (the `publicUrl` option, else `url`): avatars and QR codes use it. */
  readonly publicUrl: string;
  /**
   * The first app's appid: the single app, or the first of `apps` at start. It stays the
   * default of `issueCode` and the like even when `removeApp` took the app away.
   */
  readonly appid: string;
  /** The users as the first app sees them (its openids); `openidOf`/`unionidOf` for the others. */
  readonly users: readonly WxSandboxUser[];
  /**
   * The sandbox's `wxLogin.js`, for a page's `<script src>` in place of
   * `https://res.wx.qq.com/connect/zh_CN/htmledition/js/wxLogin.js` (same path, sandbox host).
   */
  readonly wxLoginJsUrl: string;

  private readonly clock = new SandboxClock();
  private readonly faults = new SandboxFaults();
  private readonly grants: SandboxGrants;
  private readonly directory: SandboxAppUsers;
  private readonly appTokens = new SandboxAppTokens(this.clock);
  private readonly qrCodes = new SandboxQrCodes(this.clock);
  private readonly followers = new SandboxFollowers();
  private readonly miniCodes: SandboxMiniCodes;
  private readonly sessions = new SandboxSessions();
  /** Keys of the people WeChat's risk control blocks from mini-program login (40226). */
  private readonly highRisk: Set<string>;
  /** Message-push settings per appid; kept out of every message, they hold the Token and key. */
  private readonly pushSettings = new Map<string, WxSandboxMessagePush>();
  /** Aborts pushes in flight when the sandbox closes. */
  private readonly closed = new AbortController();
  private autoApprove: string | false;
  private requests: Record<Route, number> = zeroCounts();
  private connections = 0;
  /** Sockets that have already paid `connectionLatencyMs`. */
  private readonly warmSockets = new WeakSet<Socket>();
  /** Pending delays, released by `close()` so no timer outlives the server. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closing: Promise<void> | undefined;
  /** The first app's secret when it was removed, for `secret`. */
  private removedFirstSecret: string;

  /** Starts a sandbox and resolves once it listens. */
  static async start(options?: WxSandboxOptions): Promise<WxSandbox> {
    const resolved = resolveSandboxOptions(options);
    const server = resolved.tls
      ? createHttpsServer({ key: resolved.tls.key, cert: resolved.tls.cert })
      : createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      return new WxSandbox(server, resolved);
    } catch (error) {
      server.close();
      throw error;
    }
  }

  private constructor(
    private readonly server: Server | HttpsServer,
    private readonly options: ResolvedWxSandboxOptions,
  ) {
    this.appid = options.appid;
    this.removedFirstSecret = options.secret;
    this.url = baseUrl(
      server.address() as AddressInfo,
      options.host,
      options.tls ? 'https' : 'http',
    );
    this.publicUrl = options.publicUrl ?? this.url;
    this.wxLoginJsUrl = `${this.publicUrl}${WX_LOGIN_JS_PATH}`;
    // Built once listening: default avatars are served here, so their URLs need the port.
    const seeds = options.users ?? DEFAULT_SANDBOX_USERS;
    this.directory = new SandboxAppUsers(options.apps, seeds, this.publicUrl);
    this.users = this.directory.usersOf(this.appid);
    this.highRisk = new Set(seeds.filter((seed) => seed.highRisk === true).map((seed) => seed.key));
    this.grants = new SandboxGrants(this.clock, options);
    this.miniCodes = new SandboxMiniCodes(this.clock, options.miniCodeTtlMs);
    this.autoApprove = false;
    this.setAutoApprove(options.autoApprove);
    server.on('connection', () => this.connections++);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => this.write(res, plainText(500, 'sandbox error')));
    });
  }

  /** The first app's secret, the current one after `setSecret` (the last one once removed). */
  get secret(): string {
    return this.directory.app(this.appid)?.secret ?? this.removedFirstSecret;
  }

  /** Every registered app, in the order given then added; a new list after each change. */
  get apps(): readonly WxSandboxAppInfo[] {
    return this.directory.list();
  }

  /** The sandbox clock in ms since the epoch: real time plus everything passed to `advance`. */
  now(): number {
    return this.clock.now();
  }

  /** Moves the sandbox clock forward; codes and tokens expire under it. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** Approve as this user without a consent page, or `false` to show the page. */
  setAutoApprove(userKey: string | false): void {
    if (userKey !== false) this.user(userKey);
    this.autoApprove = userKey;
  }

  /**
   * Queues a fault for the next `times` requests (default 1) to one `/sns`, `/cgi-bin` or
   * `/wxa` endpoint, or to any of them when `endpoint` is left out. A delayed request is handled
   * on arrival (a code is used up even if the client gives up waiting), as on WeChat.
   */
  inject(fault: WxSandboxFault, opts: { endpoint?: WxSandboxEndpoint; times?: number } = {}): void {
    if (opts.endpoint !== undefined && !API_ENDPOINTS.has(opts.endpoint)) {
      throw new Error(`WxSandbox: unknown endpoint '${String(opts.endpoint)}'`);
    }
    this.faults.add(fault, opts.endpoint, opts.times ?? 1);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Mints an authorization code as if `userKey` had approved `scope` for `appid` (the first
   * app by default); only that app's appid and secret can redeem it.
   */
  issueCode(userKey: string, scope: WxSandboxScope, appid: string = this.appid): string {
    if (!SCOPES.has(scope)) throw new Error(`WxSandbox: unknown scope '${String(scope)}'`);
    const app = this.app(appid);
    if (!app.scopes.includes(scope)) {
      throw new Error(
        `WxSandbox: app '${appid}' (${describeKind(app.kind)}) has no scope '${scope}'`,
      );
    }
    return this.grants.issueCode(appid, this.appUser(appid, userKey), scope);
  }

  /** The registered app with this appid; throws for an unknown one. */
  app(appid: string): WxSandboxAppInfo {
    const app = this.directory.app(appid);
    if (!app) throw new Error(`WxSandbox: no app with appid '${appid}'`);
    return app;
  }

  /**
   * Registers an app while the sandbox runs, as a tenant connecting its official account,
   * website app or mini-program; checked as the `apps` option is (unique appid, a kind, the
   * secret random when left out). Only with the `apps` option: throws in the single-app form.
   */
  addApp(app: WxSandboxApp): WxSandboxAppInfo {
    this.requireAppsForm('addApp');
    const added = resolveApp(app, this.options.appName);
    this.directory.add(added);
    return added;
  }

  /**
   * Takes the app away, as when it is deleted or its tenant leaves: from then on WeChat
   * knows its appid nowhere (the authorize pages' `appid 无效` page, 40013 from the API), and
   * its codes, tokens, sessions, followers, QR codes and message push are gone. Only with
   * the `apps` option; throws for an unknown appid.
   */
  removeApp(appid: string): void {
    this.requireAppsForm('removeApp');
    const app = this.app(appid);
    if (appid === this.appid) this.removedFirstSecret = app.secret;
    this.directory.remove(appid);
    this.grants.forgetApp(appid);
    this.appTokens.forgetApp(appid);
    this.miniCodes.forgetApp(appid);
    this.sessions.forgetApp(appid);
    this.followers.forgetApp(appid);
    this.qrCodes.forgetApp(appid);
    this.pushSettings.delete(appid);
  }

  /**
   * Resets the app's secret, as its console does, to `secret` or a random 32-hex one, and
   * answers it: from then on the old one gets 40125 and the new one works. Codes already
   * issued stay redeemable (with the new secret), and tokens stay live until they expire.
   */
  setSecret(appid: string, secret?: string): string {
    const app = withSecret(this.app(appid), secret);
    this.directory.replace(app);
    return app.secret;
  }

  /** The user's openid in `appid` (the first app by default): different in each app. */
  openidOf(userKey: string, appid: string = this.appid): string {
    return this.appUser(appid, userKey).openid;
  }

  /**
   * The user's unionid as `appid` (the first app by default) receives it: the same in
   * every app bound to one Open Platform account, `undefined` from an unbound app.
   */
  unionidOf(userKey: string, appid: string = this.appid): string | undefined {
    const user = this.appUser(appid, userKey);
    return this.app(appid).openPlatform === undefined ? undefined : user.unionid;
  }

  /**
   * Sets an official account's message push (its console's 服务器配置), or removes it with
   * `undefined`. With an `encodingAesKey` the account is in safe mode.
   */
  setMessagePush(appid: string, push: WxSandboxMessagePush | undefined): void {
    const app = this.officialAccount(appid);
    if (push === undefined) this.pushSettings.delete(app.appid);
    else this.pushSettings.set(app.appid, checkMessagePush(push));
  }

  /**
   * The console's URL check: a signed GET with an `echostr`; `true` when the app
   * answers it verbatim. Rejects when the app has no message push set.
   */
  async checkPushUrl(appid: string): Promise<boolean> {
    return checkPushUrl(this.pushTarget(appid), this.pushContext());
  }

  /**
   * `wx.login()` in the mini-program as this user: a js_code for `/sns/jscode2session`,
   * single use and valid `miniCodeTtlMs`. Throws for an app that is not a mini-program.
   */
  wxLogin(userKey: string, appid: string): string {
    const app = this.miniProgram(appid);
    this.appUser(appid, userKey);
    return this.miniCodes.issue('login', app.appid, userKey);
  }

  /**
   * The user taps the mini-program's getPhoneNumber button and allows it: a code for
   * `/wxa/business/getuserphonenumber`, single use and valid `miniCodeTtlMs`. A user without
   * a phone number gets one too, which that endpoint refuses with 40029.
   */
  phoneCode(userKey: string, appid: string): string {
    const app = this.miniProgram(appid);
    this.appUser(appid, userKey);
    return this.miniCodes.issue('phone', app.appid, userKey);
  }

  /**
   * The session_key the user's latest successful jscode2session with the mini-program
   * answered (each one answers a new key); `undefined` before the first.
   */
  sessionKeyOf(userKey: string, appid: string): string | undefined {
    this.miniProgram(appid);
    this.appUser(appid, userKey);
    return this.sessions.keyOf(appid, userKey);
  }

  /**
   * The `signature` WeChat gives the mini-program with `rawData`: sha1(rawData + session_key)
   * in hex, with the current session_key. Throws before the user's first jscode2session.
   */
  signUserData(userKey: string, appid: string, rawData: string): string {
    return signRawData(rawData, this.liveSessionKey(userKey, appid));
  }

  /**
   * Open data as WeChat seals it for the mini-program (`encryptedData` and `iv`): `data`
   * with WeChat's `watermark: {appid, timestamp}` (seconds, sandbox clock) in place of any
   * it has, under the current session_key. Throws before the user's first jscode2session.
   */
  encryptUserData(userKey: string, appid: string, data: object): WxSandboxEncryptedData {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new Error('WxSandbox: encryptUserData() takes a plain object');
    }
    const sessionKey = this.liveSessionKey(userKey, appid);
    const watermark = { appid, timestamp: Math.floor(this.clock.now() / 1000) };
    return encryptOpenData({ ...data, watermark }, sessionKey);
  }

  /**
   * Flags the person as high-risk (高风险用户), or clears it: while flagged, their
   * jscode2session answers 40226 in every mini-program. Seeds set it with `highRisk`.
   */
  setHighRisk(userKey: string, on: boolean): void {
    this.user(userKey);
    if (on) this.highRisk.add(userKey);
    else this.highRisk.delete(userKey);
  }

  /** How many app access tokens `appid` has been given through `stable_token`. */
  appTokensIssued(appid: string): number {
    this.app(appid);
    return this.appTokens.issued(appid);
  }

  /** Makes the user follow the official account, or unfollow it; nobody follows at first. */
  setFollowing(userKey: string, appid: string, following: boolean): void {
    const app = this.officialAccount(appid);
    this.appUser(appid, userKey);
    if (!following) this.followers.unfollow(app.appid, userKey);
    else if (!this.followers.get(app.appid, userKey)) {
      this.followers.follow(app.appid, userKey, {
        subscribeTime: Math.floor(this.clock.now() / 1000),
        scene: 'ADD_SCENE_OTHERS',
        qrScene: 0,
        qrSceneStr: '',
      });
    }
  }

  /** Whether the user follows the official account. */
  isFollowing(userKey: string, appid: string = this.appid): boolean {
    this.appUser(appid, userKey);
    return this.followers.get(appid, userKey) !== undefined;
  }

  /**
   * The user scans a live parametric QR code with WeChat: a new follower follows and the
   * app gets `subscribe` (`EventKey` `qrscene_<scene>`), a follower `SCAN` (`<scene>`).
   * Resolves once the app answered or WeChat gave up; rejects, pushing nothing, for an
   * unknown or expired ticket or user. Without a message push set, nothing is pushed.
   */
  async scan(ticket: string, userKey: string): Promise<WxSandboxPushResult> {
    const code = this.qrCodes.byTicketLive(ticket);
    if (!code) throw new Error('WxSandbox: no live QR code with this ticket (unknown or expired)');
    const app = this.app(code.appid);
    const user = this.appUser(code.appid, userKey);
    const scanned = followScan(code, userKey, this.followers, this.clock.now());
    const xml = scanEventXml({
      toUserName: app.originalId,
      fromUserName: user.openid,
      createTime: scanned.createTime,
      event: scanned.event,
      eventKey: scanned.eventKey,
      ticket: code.ticket,
    });
    const event = { ...scanned, openid: user.openid };
    const settings = this.pushSettings.get(app.appid);
    if (!settings) return { ...event, attempts: [], answered: false };
    const target: PushTarget = { appid: app.appid, originalId: app.originalId, settings };
    return { ...event, ...(await pushMessage(target, user.openid, xml, this.pushContext())) };
  }

  /** Requests per endpoint (authorize pages included) and TCP connections accepted (TLS ones included), since start or `resetStats`. */
  get stats(): WxSandboxStats {
    return { requests: { ...this.requests }, connections: this.connections };
  }

  resetStats(): void {
    this.requests = zeroCounts();
    this.connections = 0;
  }

  /** Stops listening and destroys every open socket, keep-alive ones included. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.closed.abort();
      for (const [timer, release] of this.timers) {
        clearTimeout(timer);
        release();
      }
      this.timers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const search = queryAt < 0 ? '' : target.slice(queryAt + 1);
    const route = routeOf(pathname);
    this.requests[route]++;
    const query = new URLSearchParams(search);
    // Parameters are read from the query, like WeChat; only the cgi-bin and wxa POSTs, the
    // scan form and the helpers' JSON have a body to read: any other is drained, never
    // parsed (so /sns ignores it).
    const body = BODY_ROUTES.has(route) ? await readBody(req) : (req.resume(), '');

    let delayMs = 0;
    if (!this.warmSockets.has(req.socket)) {
      this.warmSockets.add(req.socket);
      delayMs += this.options.connectionLatencyMs;
    }

    if (!isApiEndpoint(route)) {
      await this.sleep(delayMs);
      this.write(res, await this.answerFront(route, pathname, query, req.method ?? 'GET', body));
      return;
    }

    delayMs += this.options.latencyMs;
    const fault = this.faults.take(route);
    if (fault?.type === 'delay') delayMs += fault.ms;
    const response =
      fault && fault.type !== 'delay'
        ? this.faultResponse(fault)
        : this.answerApi(route, query, req.method ?? 'GET', body);
    await this.sleep(delayMs);
    if (response === 'reset') req.socket.destroy();
    else this.write(res, response);
  }

  private async answerFront(
    route: FrontRoute | 'not_found',
    pathname: string,
    query: URLSearchParams,
    method: string,
    body: string,
  ): Promise<SandboxResponse> {
    const context: AuthorizeContext = {
      apps: this.directory,
      publicUrl: this.publicUrl,
      autoApprove: this.autoApprove,
      grants: this.grants,
    };
    switch (route) {
      case 'qrconnect':
        // wxLogin.js's iframe: the same endpoint, asked for the embedded page.
        if (query.get('login_type') === 'jssdk') return handleWxLoginFrame(query, context);
        return handleAuthorize(route, query, context);
      case 'authorize':
      case 'scan':
        return handleAuthorize(route, query, context);
      case 'wx_login_js':
        return javascript(wxLoginScript(this.publicUrl));
      case 'decide':
        return handleDecide(query, context);
      case 'avatar': {
        const key = avatarKey(pathname);
        const user = this.users.find((candidate) => candidate.key === key);
        return user ? avatarResponse(user) : plainText(404, 'Not Found');
      }
      case 'showqrcode':
        return handleShowQrcode(query, this.followQrContext());
      case 'follow_qr':
        return handleFollowQrPage(qrCodeId(pathname) ?? '', this.followQrContext());
      case 'follow_scan':
        return handleFollowScan(method, body, {
          ...this.followQrContext(),
          scan: (ticket, userKey) => this.scan(ticket, userKey),
        });
      case 'mini_users':
      case 'mini_login':
      case 'mini_phone_code':
        return handleMiniProgramHelper(route, method, query, body, {
          app: (appid) => this.directory.app(appid),
          usersOf: (appid) => this.directory.usersOf(appid),
          wxLogin: (userKey, appid) => this.wxLogin(userKey, appid),
          phoneCode: (userKey, appid) => this.phoneCode(userKey, appid),
        });
      case 'not_found':
        return plainText(404, 'Not Found');
    }
  }

  private answerApi(
    endpoint: WxSandboxEndpoint,
    query: URLSearchParams,
    method: string,
    body: string,
  ): SandboxResponse {
    if (isCgiBinEndpoint(endpoint)) {
      const context: CgiBinContext = {
        app: (appid) => this.directory.app(appid),
        usersOf: (appid) => this.directory.usersOf(appid),
        appTokens: this.appTokens,
        qrCodes: this.qrCodes,
        followers: this.followers,
        publicUrl: this.publicUrl,
        rid: () => randomRid(this.clock.now()),
      };
      return wxJson(handleCgiBin(endpoint, { method, query, body }, context));
    }
    if (isMiniProgramEndpoint(endpoint)) {
      const context: MiniProgramContext = {
        app: (appid) => this.directory.app(appid),
        user: (appid, key) => this.directory.user(appid, key),
        codes: this.miniCodes,
        sessions: this.sessions,
        appTokens: this.appTokens,
        isHighRisk: (userKey) => this.highRisk.has(userKey),
        now: () => this.clock.now(),
        rid: () => randomRid(this.clock.now()),
      };
      return wxJson(handleMiniProgram(endpoint, { method, query, body }, context));
    }
    const context: SnsContext = {
      app: (appid) => this.directory.app(appid),
      accessTokenTtlSeconds: this.options.accessTokenTtlSeconds,
      grants: this.grants,
      rid: () => randomRid(this.clock.now()),
    };
    return wxJson(handleSns(endpoint, query, context));
  }

  private faultResponse(
    fault: Exclude<WxSandboxFault, { type: 'delay' }>,
  ): SandboxResponse | 'reset' {
    switch (fault.type) {
      case 'http500':
        return plainText(500, 'Internal Server Error');
      case 'nonJson':
        return htmlPage(
          200,
          '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
        );
      case 'reset':
        return 'reset';
      case 'errcode':
        return wxJson(wxErrorBody(fault.errcode, randomRid(this.clock.now()), fault.errmsg));
    }
  }

  private write(res: ServerResponse, response: SandboxResponse): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(response.body);
  }

  /** A timer-based wait, so a slow answer never blocks the others. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  private followQrContext(): FollowQrContext {
    return {
      apps: this.directory,
      qrCodes: this.qrCodes,
      followers: this.followers,
      publicUrl: this.publicUrl,
    };
  }

  private pushContext(): PushContext {
    return {
      timeoutMs: this.options.pushTimeoutMs,
      now: () => this.clock.now(),
      signal: this.closed.signal,
    };
  }

  private pushTarget(appid: string): PushTarget {
    const app = this.officialAccount(appid);
    const settings = this.pushSettings.get(app.appid);
    if (!settings)
      throw new Error(`WxSandbox: app '${appid}' has no message push; call setMessagePush`);
    return { appid: app.appid, originalId: app.originalId, settings };
  }

  /** The app, which must be a mini-program; throws otherwise. */
  private miniProgram(appid: string): WxSandboxAppInfo {
    const app = this.app(appid);
    if (!isMiniProgram(app)) {
      throw new Error(
        `WxSandbox: app '${appid}' (${describeKind(app.kind)}) is not a mini-program`,
      );
    }
    return app;
  }

  /** The user's current session_key with the mini-program; throws when they have none yet. */
  private liveSessionKey(userKey: string, appid: string): string {
    const sessionKey = this.sessionKeyOf(userKey, appid);
    if (sessionKey === undefined) {
      throw new Error(
        `WxSandbox: user '${userKey}' has no session with '${appid}' yet: ` +
          'redeem a wxLogin() code at /sns/jscode2session first',
      );
    }
    return sessionKey;
  }

  /** The app, which must be an official account (or the single app); throws otherwise. */
  private officialAccount(appid: string): WxSandboxAppInfo {
    const app = this.app(appid);
    if (!isOfficialAccount(app)) {
      throw new Error(
        `WxSandbox: app '${appid}' (${describeKind(app.kind)}) is no official account`,
      );
    }
    return app;
  }

  /** The single-app form's one app takes both flows; no tenant could own it. */
  private requireAppsForm(method: string): void {
    if (this.options.apps[0].kind === 'both') {
      throw new Error(
        `WxSandbox: ${method}() needs the 'apps' option; this sandbox holds the single app '${this.appid}'`,
      );
    }
  }

  private user(key: string): WxSandboxUser {
    const user = this.users.find((candidate) => candidate.key === key);
    if (!user) throw new Error(`WxSandbox: no user with key '${key}'`);
    return user;
  }

  /** The user as `appid` sees them; throws for an unknown app or user. */
  private appUser(appid: string, key: string): WxSandboxUser {
    this.app(appid);
    const user = this.directory.user(appid, key);
    if (!user) throw new Error(`WxSandbox: no user with key '${key}'`);
    return user;
  }
}

function routeOf(pathname: string): Route {
  const known = ROUTES.get(pathname);
  if (known) return known;
  if (avatarKey(pathname) !== undefined) return 'avatar';
  return qrCodeId(pathname) === undefined ? 'not_found' : 'follow_qr';
}

function isApiEndpoint(route: Route): route is WxSandboxEndpoint {
  return API_ENDPOINTS.has(route);
}

function isCgiBinEndpoint(endpoint: WxSandboxEndpoint): endpoint is CgiBinEndpoint {
  return CGI_BIN_ENDPOINTS.has(endpoint);
}

function isMiniProgramEndpoint(endpoint: WxSandboxEndpoint): endpoint is MiniProgramEndpoint {
  return MINI_PROGRAM_ENDPOINTS.has(endpoint);
}

function zeroCounts(): Record<Route, number> {
  return Object.fromEntries(ALL_ROUTES.map((route) => [route, 0])) as Record<Route, number>;
}

/** A URL a client on this machine can use, even when listening on every interface. */
function baseUrl(address: AddressInfo, host: string, protocol: 'http' | 'https'): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${protocol}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${address.port}`;
}
