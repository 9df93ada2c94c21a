import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { MessagePushConsole } from './handlers/message-push-console.js';
import { sandboxHosts } from './handlers/same-origin.js';
import { WX_LOGIN_JS_PATH } from './handlers/wx-login-script.js';
import { checkMessagePush } from './model/message-push-settings.js';
import { followScan } from './model/follow-scan.js';
import { encryptOpenData, signRawData } from './model/mini-program-crypto.js';
import { randomAlnum } from './model/random-strings.js';
import { SandboxAppTokens } from './model/sandbox-app-tokens.js';
import { SandboxAppUsers } from './model/sandbox-app-users.js';
import {
  appOfKind,
  describeKind,
  isMiniProgram,
  isOfficialAccount,
  mobileAppOf,
  resolveApp,
  withSecret,
  type WxSandboxApp,
  type WxSandboxAppInfo,
} from './model/sandbox-apps.js';
import { SandboxClock } from './model/sandbox-clock.js';
import { defaultFuncInfo, type WxSandboxComponentInfo } from './model/sandbox-components.js';
import { SandboxFaults } from './model/sandbox-faults.js';
import { SandboxFollowers } from './model/sandbox-followers.js';
import { SandboxGrants } from './model/sandbox-grants.js';
import { SandboxMiniCodes } from './model/sandbox-mini-codes.js';
import { SandboxQrCodes } from './model/sandbox-qr-codes.js';
import { SandboxSessions } from './model/sandbox-sessions.js';
import { DEFAULT_SANDBOX_USERS } from './model/sandbox-users.js';
import {
  SandboxCorps,
  resolveCorps,
  type WxSandboxCorpAppInfo,
  type WxSandboxCorpInfo,
} from './model/wecom-corps.js';
import { WeComGrants } from './model/wecom-grants.js';
import {
  checkPushUrl,
  pushMessage,
  type PushContext,
  type PushTarget,
} from './push/message-pusher.js';
import { scanEventXml } from './push/push-xml.js';
import {
  resolveSandboxOptions,
  type ResolvedWxSandboxOptions,
  type WxSandboxOptions,
} from './wx-sandbox.options.js';
import { SandboxComponents } from './wx-sandbox.components.js';
import { isSandboxEndpoint } from './wx-sandbox.routes.js';
import { SandboxServer } from './wx-sandbox.server.js';
import type {
  WxSandboxAppLoginRequest,
  WxSandboxAppLoginResponse,
  WxSandboxComponentAuthorization,
  WxSandboxComponentAuthorizeRequest,
  WxSandboxComponentEvent,
  WxSandboxEncryptedData,
  WxSandboxEndpoint,
  WxSandboxFault,
  WxSandboxIdentityCodeRequest,
  WxSandboxMessagePush,
  WxSandboxPushResult,
  WxSandboxScope,
  WxSandboxStats,
  WxSandboxUser,
  WxSandboxWeComCodeRequest,
} from './wx-sandbox.types.js';

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
 * push of `subscribe`/`SCAN` events to the app's URL (`setMessagePush`, or the console's
 * page at `/sandbox/console/message-push`), signed, encrypted in safe mode, and retried as
 * WeChat does.
 *
 * Mini-programs have their side of WeChat too: `wxLogin` and `phoneCode` stand in for
 * `wx.login()` and the getPhoneNumber button, `/sns/jscode2session` answers the openid,
 * unionid and a fresh session_key, `/wxa/business/getuserphonenumber` the phone number
 * (with the mini-program's own token from `/cgi-bin/stable_token`), and `signUserData` and
 * `encryptUserData` make the data a mini-program sends, as the server must verify it. A demo
 * page reaches the same stand-ins over HTTP under `/sandbox/miniprogram/` (CORS open).
 *
 * Native apps too: `appLogin` stands in for the OpenSDK's login in a mobile app, whose code
 * the app's server exchanges at `/sns/oauth2/access_token` with the mobile app's appid and
 * secret, as a website app's; `identityCode` for a multi-end app's `wx.weixinAppLogin`,
 * whose code `/donut/code2verifyinfo` turns into the user of its mobile app. A demo page
 * reaches both over HTTP under `/sandbox/app/` (CORS open).
 *
 * And a third-party platform (开放平台第三方平台), or several (the `components` option): its
 * `component_verify_ticket` pushed on a timer and on demand, the `/cgi-bin/component` API, the
 * merchant's authorisation page (`/cgi-bin/componentloginpage`), the `authorized`,
 * `updateauthorized` and `unauthorized` events, and the web authorisation and mini-program
 * login it runs on a merchant's behalf with `component_appid`. The sandbox's official accounts
 * and mini-programs are the merchants' accounts; `authorizeComponent` and `revokeComponent`
 * act as a merchant without a browser.
 *
 * It holds WeChat's apps: official accounts (`/connect/oauth2/authorize`), website apps
 * (`/connect/qrconnect`, and the iframe of its `wxLogin.js`), mini-programs, mobile apps and
 * multi-end apps, each with its own secret, openids and, when bound to an Open Platform
 * account, unionids shared with the apps bound to the same one. Without the `apps` option
 * it holds one app that takes both flows, a convenience of the sandbox that no real WeChat
 * app has. With `apps`, apps come and go while it runs (`addApp`, `removeApp`) and secrets
 * are reset (`setSecret`), as a multi-tenant service sees its tenants' apps do.
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
 *   { appid: 'wx0mobile', kind: 'mobileApp', openPlatform: 'acme' },
 *   { appid: 'wx0donut', kind: 'multiEndApp', mobileAppid: 'wx0mobile' },
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
  /** The first WeCom corp's corpid (the default corp's, `ww0sandbox0corp`, without `corps`). */
  readonly corpid: string;
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
  /** Keys of the people WeChat's risk control blocks from mini-program and native-app login (40226). */
  private readonly highRisk: Set<string>;
  /** Message-push settings per appid; kept out of every message, they hold the Token and key. */
  private readonly pushSettings = new Map<string, WxSandboxMessagePush>();
  /** Aborts pushes in flight when the sandbox closes. */
  private readonly closed = new AbortController();
  private autoApprove: string | false;
  /** WeCom's corps, and their tokens, codes and tickets. */
  private readonly corpDirectory: SandboxCorps;
  private readonly weComGrants: WeComGrants;
  private weComAutoApprove: string | false = false;
  /** The HTTP side: routes, request counts, latency and faults. */
  private readonly http: SandboxServer;
  /** The third-party platforms: tickets on their timers, tokens, authorisations, pushes. */
  private readonly platforms: SandboxComponents;
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
    server: Server | HttpsServer,
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
    this.corpDirectory = new SandboxCorps(resolveCorps(options.corps, this.publicUrl));
    for (const corp of this.corpDirectory.list()) this.requireFreeId(corp.corpid);
    this.corpid = this.corpDirectory.list()[0]?.corpid ?? '';
    this.weComGrants = new WeComGrants(this.clock, options.codeTtlMs);
    this.setWeComAutoApprove(options.weComAutoApprove);
    this.platforms = new SandboxComponents(
      options.components,
      this.clock,
      options,
      this.grants,
      () => this.pushContext(),
    );
    this.http = new SandboxServer(
      server,
      options,
      this.faults,
      {
        apps: this.directory,
        users: this.users,
        publicUrl: this.publicUrl,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        grants: this.grants,
        appTokens: this.appTokens,
        qrCodes: this.qrCodes,
        followers: this.followers,
        miniCodes: this.miniCodes,
        sessions: this.sessions,
        corps: this.corpDirectory,
        weComGrants: this.weComGrants,
        weComAutoApprove: () => this.weComAutoApprove,
        autoApprove: () => this.autoApprove,
        isHighRisk: (userKey) => this.highRisk.has(userKey),
        now: () => this.clock.now(),
        scan: (ticket, userKey) => this.scan(ticket, userKey),
        wxLogin: (userKey, appid) => this.wxLogin(userKey, appid),
        phoneCode: (userKey, appid) => this.phoneCode(userKey, appid),
        appLogin: (request) => this.appLogin(request),
        identityCode: (request) => this.identityCode(request),
        messagePush: this.messagePushConsole(),
        components: this.platforms,
        hosts: sandboxHosts(this.url, this.publicUrl),
      },
      options.onRequest,
    );
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
   * Queues a fault for the next `times` requests (default 1) to one `/sns`, `/cgi-bin`,
   * `/wxa` or `/donut` endpoint, or to any of them when `endpoint` is left out. A delayed
   * request is handled on arrival (a code is used up even if the client gives up waiting),
   * as on WeChat.
   */
  inject(fault: WxSandboxFault, opts: { endpoint?: WxSandboxEndpoint; times?: number } = {}): void {
    if (opts.endpoint !== undefined && !isSandboxEndpoint(opts.endpoint)) {
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
   * website app, mini-program, mobile app or multi-end app; checked as the `apps` option is
   * (unique appid, a kind, the secret random when left out). Only with the `apps` option:
   * throws in the single-app form.
   */
  addApp(app: WxSandboxApp): WxSandboxAppInfo {
    this.requireAppsForm('addApp');
    const added = resolveApp(app, this.options.appName);
    if (this.corpDirectory.corp(added.appid))
      throw new Error(`WxSandbox: appid '${added.appid}' is a WeCom corp's corpid`);
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
    this.platforms.forgetApp(appid);
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

  /** The official account's message push as set now; `undefined` while it has none. */
  messagePushOf(appid: string): WxSandboxMessagePush | undefined {
    return this.pushSettings.get(this.officialAccount(appid).appid);
  }

  /**
   * The console's URL check: a signed GET with an `echostr`; `true` when the app
   * answers it verbatim. Rejects when the app has no message push set.
   */
  async checkPushUrl(appid: string): Promise<boolean> {
    return (await checkPushUrl(this.pushTarget(appid), this.pushContext())).passed;
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
   * The OpenSDK's login in a mobile app (`SendAuthReq`, scope `snsapi_userinfo`) as this
   * user, approved: the `SendAuth.Resp`, a code for `/sns/oauth2/access_token` with the
   * mobile app's appid and secret (single use, valid `codeTtlMs`) and the `state` unchanged.
   * Without a state it is also a multi-end app's `wx.miniapp.login`, whose code goes to the
   * same exchange with the mobile app's appid. `appid` defaults to the one mobile app
   * registered; throws when there is none or several, or for an unknown user.
   */
  appLogin(request: WxSandboxAppLoginRequest): WxSandboxAppLoginResponse {
    const { user, appid, state } = request;
    if (state !== undefined && typeof state !== 'string')
      throw new Error('WxSandbox: appLogin() takes a string state');
    const app = appOfKind(this.apps, 'mobileApp', appid, 'appLogin');
    const code = this.grants.issueCode(app.appid, this.appUser(app.appid, user), 'snsapi_userinfo');
    return state === undefined ? { code } : { code, state };
  }

  /**
   * A multi-end app's `wx.weixinAppLogin` (or `wx.getIdentityCode`) as this user: a code for
   * `/donut/code2verifyinfo`, single use and valid `miniCodeTtlMs`. `appid` defaults to the
   * one multi-end app registered; throws when there is none or several, when its
   * `mobileAppid` names no registered mobile app, or for an unknown user.
   */
  identityCode(request: WxSandboxIdentityCodeRequest): string {
    const app = appOfKind(this.apps, 'multiEndApp', request.appid, 'identityCode');
    const mobileApp = mobileAppOf(app, (mobileAppid) => this.directory.app(mobileAppid));
    if (!mobileApp) {
      throw new Error(
        `WxSandbox: multi-end app '${app.appid}' needs its mobile app ` +
          `'${String(app.mobileAppid)}' registered as a mobileApp`,
      );
    }
    this.appUser(mobileApp.appid, request.user);
    return this.miniCodes.issue('identity', app.appid, request.user);
  }

  /**
   * Flags the person as high-risk (高风险用户), or clears it: while flagged, their
   * jscode2session answers 40226 in every mini-program, and so do a mobile app's code
   * exchange (`/sns/oauth2/access_token`) and `/donut/code2verifyinfo`, the code used up.
   * Seeds set it with `highRisk`.
   */
  setHighRisk(userKey: string, on: boolean): void {
    this.user(userKey);
    if (on) this.highRisk.add(userKey);
    else this.highRisk.delete(userKey);
  }

  /**
   * How many app access tokens `appid` (an official account, a mini-program or a multi-end
   * app) has been given through `stable_token`.
   */
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

  /** Every WeCom corp, as it stands now (an app's `ipTrusted` changes with `setIpTrusted`). */
  get corps(): readonly WxSandboxCorpInfo[] {
    return this.corpDirectory.list();
  }

  /** The WeCom corp (the first by default): its apps with their secrets, members and non-members. */
  corp(corpid: string = this.corpid): WxSandboxCorpInfo {
    const corp = this.corpDirectory.corp(corpid);
    if (!corp) throw new Error(`WxSandbox: no corp with corpid '${corpid}'`);
    return corp;
  }

  /** A self-built app of the corp (the first corp's first app by default), with its secret. */
  corpApp(corpid: string = this.corpid, agentid?: string): WxSandboxCorpAppInfo {
    const corp = this.corp(corpid);
    const app =
      agentid === undefined ? corp.apps[0] : corp.apps.find((one) => one.agentid === agentid);
    if (!app) throw new Error(`WxSandbox: corp '${corpid}' has no app '${String(agentid)}'`);
    return app;
  }

  /**
   * A WeCom login as this member or non-member, approved, without a browser: the code that
   * the in-client link (`snsapi_base`, or `snsapi_privateinfo`, agreed to unless `agree:
   * false`) or the web login (`web: true`) would bring back, for `/cgi-bin/auth/getuserinfo`
   * with the token of the app it was issued through; single use, valid `codeTtlMs`.
   */
  weComCode(request: WxSandboxWeComCodeRequest): string {
    const { user, scope = 'snsapi_base', agree = true, web = false } = request;
    if (scope !== 'snsapi_base' && scope !== 'snsapi_privateinfo')
      throw new Error(`WxSandbox: unknown WeCom scope '${String(scope)}'`);
    const corp = this.corp(request.corpid);
    const app = this.corpApp(corp.corpid, request.agentid);
    const person = this.corpDirectory.person(corp.corpid, user);
    if (!person) throw new Error(`WxSandbox: corp '${corp.corpid}' has nobody with key '${user}'`);
    return this.weComGrants.issueCode({
      corpid: corp.corpid,
      agentid: app.agentid,
      key: user,
      privateinfo: !web && scope === 'snsapi_privateinfo' && agree && person.kind === 'member',
    });
  }

  /**
   * Adds the server's IP to the app's trusted IPs, or takes it away: while untrusted, every
   * WeCom API call with the app's secret or token answers 60020.
   */
  setIpTrusted(corpid: string, agentid: string, trusted: boolean): void {
    this.corpApp(corpid, agentid);
    this.corpDirectory.setIpTrusted(corpid, agentid, trusted);
  }

  /** Sign the WeCom client in as this member or non-member, agreeing to everything; `false`: the pages ask. */
  setWeComAutoApprove(key: string | false): void {
    if (
      key !== false &&
      !this.corpDirectory.list().some((corp) => this.corpDirectory.person(corp.corpid, key))
    )
      throw new Error(`WxSandbox: no WeCom member or non-member with key '${key}'`);
    this.weComAutoApprove = key;
  }

  /** How many tokens `/cgi-bin/gettoken` has minted for the corp's app (renewals included). */
  corpTokensIssued(corpid: string, agentid: string): number {
    this.corpApp(corpid, agentid);
    return this.weComGrants.issued(corpid, agentid);
  }

  /** Requests per endpoint (authorize pages included) and TCP connections accepted (TLS ones included), since start or `resetStats`. */
  get stats(): WxSandboxStats {
    return this.http.stats;
  }

  resetStats(): void {
    this.http.resetStats();
  }

  /** The first third-party platform: its `component_appid`, secret, Token, key and event URL. */
  get component(): WxSandboxComponentInfo {
    return this.platforms.list()[0];
  }

  /** Every third-party platform registered. */
  get components(): readonly WxSandboxComponentInfo[] {
    return this.platforms.list();
  }

  /**
   * Sets the platform's authorisation-event URL (授权事件接收URL), or removes it with
   * `undefined`, as its console does: typically once the app under test listens.
   */
  setComponentEventUrl(
    url: string | undefined,
    componentAppid: string = this.component.appid,
  ): void {
    this.platforms.setEventUrl(componentAppid, url);
  }

  /**
   * Mints the platform's next `component_verify_ticket` (the one before stops working) and
   * pushes it now; resolves once the platform answered or WeChat gave up.
   */
  pushComponentTicket(
    componentAppid: string = this.component.appid,
  ): Promise<WxSandboxComponentEvent> {
    return this.platforms.pushTicket(componentAppid);
  }

  /** The platform's newest ticket, the only one `api_component_token` takes; `undefined` before the first. */
  componentTicket(componentAppid: string = this.component.appid): string | undefined {
    this.platforms.require(componentAppid);
    return this.platforms.tickets.current(componentAppid);
  }

  /**
   * A merchant authorises an official account or a mini-program to the platform without a
   * browser: the platform is pushed `authorized` (`updateauthorized` when it already was,
   * with new authorizer tokens), and the answer is what its return URL would get.
   */
  async authorizeComponent(
    request: WxSandboxComponentAuthorizeRequest,
  ): Promise<WxSandboxComponentAuthorization> {
    const componentAppid = this.platforms.require(
      request.componentAppid ?? this.component.appid,
    ).appid;
    const app = this.app(request.authorizerAppid);
    if (!isOfficialAccount(app) && !isMiniProgram(app)) {
      throw new Error(
        `WxSandbox: app '${app.appid}' (${describeKind(app.kind)}) cannot be authorised to a platform`,
      );
    }
    const funcInfo = request.funcInfo ?? defaultFuncInfo(app);
    if (!Array.isArray(funcInfo) || funcInfo.some((id) => !Number.isInteger(id)))
      throw new Error('WxSandbox: funcInfo must be an array of integer ids');
    const preAuthCode = this.platforms.grants.createPreAuthCode(componentAppid).code;
    this.platforms.grants.preAuthCode(preAuthCode, componentAppid, true);
    const { code, event } = this.platforms.authorize(
      componentAppid,
      app.appid,
      funcInfo,
      preAuthCode,
    );
    return { authCode: code.authCode, expiresIn: code.expiresIn, event: await event };
  }

  /**
   * The merchant cancels the account's authorisation: the platform is pushed `unauthorized`,
   * and its authorizer tokens and on-behalf logins stop working. Throws when the account
   * is not authorised to the platform.
   */
  async revokeComponent(
    authorizerAppid: string,
    componentAppid: string = this.component.appid,
  ): Promise<WxSandboxComponentEvent> {
    const event = this.platforms.revoke(componentAppid, authorizerAppid);
    if (!event) {
      throw new Error(
        `WxSandbox: app '${authorizerAppid}' is not authorised to component '${componentAppid}'`,
      );
    }
    return event;
  }

  /** The account's authorisation to the platform and its permission sets; `undefined` when it has none. */
  componentAuthorizationOf(
    authorizerAppid: string,
    componentAppid: string = this.component.appid,
  ): { authorizerAppid: string; funcInfo: number[] } | undefined {
    this.platforms.require(componentAppid);
    const authorization = this.platforms.grants.authorization(componentAppid, authorizerAppid);
    return authorization && { authorizerAppid, funcInfo: [...authorization.funcInfo] };
  }

  /** How many `component_access_token`s the platform has been given. */
  componentTokensIssued(componentAppid: string = this.component.appid): number {
    this.platforms.require(componentAppid);
    return this.platforms.tokens.issued(componentAppid);
  }

  /** Every push to the platform's event URL so far (tickets and authorisation events), in order. */
  componentEvents(
    componentAppid: string = this.component.appid,
  ): readonly WxSandboxComponentEvent[] {
    return this.platforms.eventsOf(componentAppid);
  }

  /** Stops listening and destroys every open socket, keep-alive ones included. */
  close(): Promise<void> {
    this.closed.abort();
    this.platforms.close();
    return this.http.close();
  }

  private pushContext(): PushContext {
    return {
      timeoutMs: this.options.pushTimeoutMs,
      now: () => this.clock.now(),
      signal: this.closed.signal,
    };
  }

  /** What the console page at `/sandbox/console/message-push` reads and changes. */
  private messagePushConsole(): MessagePushConsole {
    return {
      accounts: () => this.directory.list().filter(isOfficialAccount),
      settingsOf: (appid) => this.pushSettings.get(appid),
      save: (appid, push) => this.setMessagePush(appid, push),
      check: (appid, settings) => {
        const { originalId } = this.officialAccount(appid);
        return checkPushUrl({ appid, originalId, settings }, this.pushContext());
      },
      hosts: sandboxHosts(this.url, this.publicUrl),
      newAesKey: () => randomAlnum(43),
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

  /** A corpid must not be a WeChat appid, an app's or a platform's: the authorize page tells them apart by it. */
  private requireFreeId(corpid: string): void {
    if (this.directory.app(corpid))
      throw new Error(`WxSandbox: corpid '${corpid}' is also the appid of a WeChat app`);
    if (this.options.components.some((component) => component.appid === corpid))
      throw new Error(`WxSandbox: corpid '${corpid}' is also a third-party platform's appid`);
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

/** A URL a client on this machine can use, even when listening on every interface. */
function baseUrl(address: AddressInfo, host: string, protocol: 'http' | 'https'): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${protocol}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${address.port}`;
}
