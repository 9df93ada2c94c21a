import {
  SCAN_PATH,
  handleAuthorize,
  handleDecide,
  type AuthorizeContext,
} from './handlers/authorize-handler.js';
import { avatarKey, avatarResponse } from './handlers/avatar.js';
import { handleCgiBin, type CgiBinEndpoint } from './handlers/cgi-bin-handler.js';
import { COMPONENT_CONSOLE_PATH, handleComponentConsole } from './handlers/component-console.js';
import { handleComponent, type ComponentEndpoint } from './handlers/component-handler.js';
import {
  BIND_COMPONENT_PATH,
  COMPONENT_LOGIN_PATH,
  handleComponentDecide,
  handleComponentLogin,
  type ComponentLoginContext,
} from './handlers/component-login-handler.js';
import { handleComponentSns, type ComponentSnsEndpoint } from './handlers/component-sns-handler.js';
import { handleCode2VerifyInfo } from './handlers/donut-handler.js';
import { COMPONENT_DECIDE_PATH } from './pages/component-login-page.js';
import type { SandboxComponents } from './wx-sandbox.components.js';
import {
  FOLLOW_SCAN_PATH,
  SHOW_QRCODE_PATH,
  handleFollowQrPage,
  handleFollowScan,
  handleShowQrcode,
  qrCodeId,
  type FollowQrContext,
} from './handlers/follow-qr-handler.js';
import { handleMiniProgram, type MiniProgramEndpoint } from './handlers/mini-program-handler.js';
import {
  MESSAGE_PUSH_CONSOLE_PATH,
  handleMessagePushConsole,
  type MessagePushConsole,
} from './handlers/message-push-console.js';
import {
  MINI_PROGRAM_LOGIN_PATH,
  MINI_PROGRAM_PHONE_CODE_PATH,
  MINI_PROGRAM_USERS_PATH,
  handleMiniProgramHelper,
  type MiniProgramHelper,
} from './handlers/mini-program-helpers.js';
import {
  APP_IDENTITY_CODE_PATH,
  APP_LOGIN_PATH,
  APP_USERS_PATH,
  handleNativeAppHelper,
  type NativeAppHelper,
} from './handlers/native-app-helpers.js';
import {
  javascript,
  plainText,
  wxJson,
  type SandboxResponse,
} from './handlers/sandbox-response.js';
import { handleSns, type SnsEndpoint } from './handlers/sns-handler.js';
import { handleWeComApi, type WeComEndpoint } from './handlers/wecom-api-handler.js';
import {
  WECOM_SCAN_PATH,
  handleWeComAuthorize,
  handleWeComDecide,
  handleWeComLogin,
  handleWeComScan,
  type WeComPagesContext,
} from './handlers/wecom-pages-handler.js';
import { handleWxLoginFrame } from './handlers/wx-login-frame.js';
import {
  WX_LOGIN_JS_PATH,
  WX_LOGIN_JS_SHORT_PATH,
  wxLoginScript,
} from './handlers/wx-login-script.js';
import type { IncomingHttpHeaders } from 'node:http';
import { randomRid } from './model/random-strings.js';
import type { SandboxAppTokens } from './model/sandbox-app-tokens.js';
import type { SandboxAppUsers } from './model/sandbox-app-users.js';
import type { SandboxFollowers } from './model/sandbox-followers.js';
import type { SandboxGrants } from './model/sandbox-grants.js';
import type { SandboxMiniCodes } from './model/sandbox-mini-codes.js';
import { QR_URL_PREFIX, type SandboxQrCodes } from './model/sandbox-qr-codes.js';
import type { SandboxSessions } from './model/sandbox-sessions.js';
import { WECOM_AVATAR_PREFIX, weComAvatarOf, type SandboxCorps } from './model/wecom-corps.js';
import { callerIp } from './model/wecom-errors.js';
import type { WeComGrants } from './model/wecom-grants.js';
import { WECOM_DECIDE_PATH } from './pages/wecom-pages.js';
import type {
  WxSandboxAppLoginRequest,
  WxSandboxAppLoginResponse,
  WxSandboxEndpoint,
  WxSandboxIdentityCodeRequest,
  WxSandboxPushResult,
  WxSandboxUser,
} from './wx-sandbox.types.js';

/**
 * The sandbox's route table: each path WeChat (and the sandbox's own helpers) serves, the
 * name `stats` counts its requests under, and its handler. Every handler gets the method:
 * WeChat answers a wrong one differently per endpoint (43002 in JSON, a 405 page, a CORS
 * preflight), so the table leaves that to them.
 */

type PageRoute =
  | 'authorize'
  | 'qrconnect'
  | 'scan'
  | 'decide'
  | 'avatar'
  | 'wx_login_js'
  | 'showqrcode'
  | 'follow_qr'
  | 'follow_scan'
  | 'message_push_console'
  | 'wecom_decide'
  | 'wecom_login'
  | 'wecom_scan'
  | 'wecom_avatar'
  | 'component_login'
  | 'bind_component'
  | 'component_decide'
  | 'component_console'
  | MiniProgramHelper
  | NativeAppHelper;
export type SandboxRouteName = WxSandboxEndpoint | PageRoute | 'not_found';

/** A request as the handlers read it: parameters from the query, as on WeChat. */
export interface SandboxRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  /** Read only for the routes that take one; `''` for the others. */
  body: string;
  /** Read by the sandbox's own pages only (WeChat's endpoints go by the query). */
  headers: IncomingHttpHeaders;
  /** The client's address, which WeCom's errors name. */
  remoteAddress: string | undefined;
}

/** What the handlers read and change of the running sandbox (`WxSandbox` builds it). */
export interface SandboxRouteContext {
  /** The registered apps, and the users as each app sees them. */
  apps: SandboxAppUsers;
  /** The users as the first app sees them: their avatars are served. */
  users: readonly WxSandboxUser[];
  /** Base URL browsers reach the sandbox at. */
  publicUrl: string;
  accessTokenTtlSeconds: number;
  grants: SandboxGrants;
  appTokens: SandboxAppTokens;
  qrCodes: SandboxQrCodes;
  followers: SandboxFollowers;
  /** The mini-programs' codes and the multi-end apps' identity codes. */
  miniCodes: SandboxMiniCodes;
  sessions: SandboxSessions;
  /** WeCom's corps, and their tokens, codes and tickets. */
  corps: SandboxCorps;
  weComGrants: WeComGrants;
  /** Who the WeCom client is signed in as, agreeing to everything, or `false`; it changes while the sandbox runs. */
  weComAutoApprove(): string | false;
  /** The official accounts' message push, as the console page sees and changes it. */
  messagePush: MessagePushConsole;
  /** The third-party platforms: tickets, tokens, merchants' authorisations, pushes. */
  components: SandboxComponents;
  /** The hosts (`host:port`, lower case) the sandbox is reached at, for its own consoles. */
  hosts: ReadonlySet<string>;
  /** The user approving without a consent page, or `false`; it changes while the sandbox runs. */
  autoApprove(): string | false;
  isHighRisk(userKey: string): boolean;
  /** The sandbox clock, in ms. */
  now(): number;
  /**
   * `WxSandbox.scan`, `wxLogin`, `phoneCode`, `appLogin` and `identityCode`, which the pages
   * and the browser helpers perform for a browser.
   */
  scan(ticket: string, userKey: string): Promise<WxSandboxPushResult>;
  wxLogin(userKey: string, appid: string): string;
  phoneCode(userKey: string, appid: string): string;
  appLogin(request: WxSandboxAppLoginRequest): WxSandboxAppLoginResponse;
  identityCode(request: WxSandboxIdentityCodeRequest): string;
}

type Handler = (
  request: SandboxRequest,
  context: SandboxRouteContext,
) => SandboxResponse | Promise<SandboxResponse>;

/**
 * One route: `api` marks WeChat's back channel (`/sns`, `/cgi-bin`, `/wxa`, `/donut`), where
 * `latencyMs` and injected faults apply; the others are pages, scripts and helpers.
 */
export type SandboxRoute = {
  /** Whether the body is read: any other is drained unread (so `/sns` ignores it). */
  readsBody: boolean;
  handle: Handler;
} & ({ api: true; name: WxSandboxEndpoint } | { api: false; name: PageRoute | 'not_found' });

const page = (name: PageRoute, handle: Handler, readsBody = false): SandboxRoute => ({
  name,
  api: false,
  readsBody,
  handle,
});

const endpoint = (name: WxSandboxEndpoint, handle: Handler, readsBody = false): SandboxRoute => ({
  name,
  api: true,
  readsBody,
  handle,
});

const rid = (context: SandboxRouteContext) => (): string => randomRid(context.now());

const authorizeContext = (context: SandboxRouteContext): AuthorizeContext => ({
  apps: context.apps,
  publicUrl: context.publicUrl,
  autoApprove: context.autoApprove(),
  grants: context.grants,
  components: context.components,
});

const weComPagesContext = (context: SandboxRouteContext): WeComPagesContext => ({
  corps: context.corps,
  grants: context.weComGrants,
  publicUrl: context.publicUrl,
  autoApprove: context.weComAutoApprove(),
});

/** WeCom's API on qyapi.weixin.qq.com; getuserdetail's POST reads its JSON body. */
const weCom = (name: WeComEndpoint, readsBody = false): SandboxRoute =>
  endpoint(
    name,
    ({ method, query, body, remoteAddress }, context) =>
      wxJson(
        handleWeComApi(
          name,
          { method, query, body, ip: callerIp(remoteAddress) },
          { corps: context.corps, grants: context.weComGrants, now: () => context.now() },
        ),
      ),
    readsBody,
  );

const componentLoginContext = (context: SandboxRouteContext): ComponentLoginContext => ({
  components: context.components,
  apps: () => context.apps.list(),
});

/** The platform's API: POSTs whose JSON body is read. */
const component = (name: ComponentEndpoint): SandboxRoute =>
  endpoint(
    name,
    (request, context) =>
      wxJson(
        handleComponent(name, request, {
          components: context.components,
          app: (appid) => context.apps.app(appid),
          // WeChat pushes the ticket once it has answered.
          pushTicketSoon: (componentAppid) =>
            void setImmediate(() => void context.components.pushTicket(componentAppid)),
          rid: rid(context),
        }),
      ),
    true,
  );

/** A platform's user logins on a merchant's behalf, from the query as the rest of `/sns`. */
const componentSns = (name: ComponentSnsEndpoint): SandboxRoute =>
  endpoint(name, ({ query }, context) =>
    wxJson(
      handleComponentSns(name, query, {
        components: context.components,
        app: (appid) => context.apps.app(appid),
        user: (appid, key) => context.apps.user(appid, key),
        accessTokenTtlSeconds: context.accessTokenTtlSeconds,
        grants: context.grants,
        codes: context.miniCodes,
        sessions: context.sessions,
        isHighRisk: (userKey) => context.isHighRisk(userKey),
        rid: rid(context),
      }),
    ),
  );

const followQrContext = (context: SandboxRouteContext): FollowQrContext => ({
  apps: context.apps,
  qrCodes: context.qrCodes,
  followers: context.followers,
  publicUrl: context.publicUrl,
});

const sns = (name: SnsEndpoint): SandboxRoute =>
  endpoint(name, ({ query }, context) =>
    wxJson(
      handleSns(name, query, {
        app: (appid) => context.apps.app(appid),
        accessTokenTtlSeconds: context.accessTokenTtlSeconds,
        grants: context.grants,
        isHighRisk: (userKey) => context.isHighRisk(userKey),
        rid: rid(context),
      }),
    ),
  );

/** The cgi-bin and wxa POSTs read their JSON body. */
const cgiBin = (name: CgiBinEndpoint, readsBody = false): SandboxRoute =>
  endpoint(
    name,
    (request, context) =>
      wxJson(
        handleCgiBin(name, request, {
          app: (appid) => context.apps.app(appid),
          usersOf: (appid) => context.apps.usersOf(appid),
          appTokens: context.appTokens,
          authorizerToken: (token) => {
            const authorization = context.components.grants.findByAccessToken(token);
            return typeof authorization === 'number'
              ? authorization
              : { appid: authorization.authorizerAppid };
          },
          qrCodes: context.qrCodes,
          followers: context.followers,
          publicUrl: context.publicUrl,
          rid: rid(context),
        }),
      ),
    readsBody,
  );

const miniProgram = (name: MiniProgramEndpoint, readsBody = false): SandboxRoute =>
  endpoint(
    name,
    (request, context) =>
      wxJson(
        handleMiniProgram(name, request, {
          app: (appid) => context.apps.app(appid),
          user: (appid, key) => context.apps.user(appid, key),
          codes: context.miniCodes,
          sessions: context.sessions,
          appTokens: context.appTokens,
          isHighRisk: (userKey) => context.isHighRisk(userKey),
          now: () => context.now(),
          rid: rid(context),
        }),
      ),
    readsBody,
  );

/** The multi-end app's login; a POST's body is drained unread, as WeChat refuses the method. */
const CODE2VERIFYINFO = endpoint('code2verifyinfo', (request, context) =>
  wxJson(
    handleCode2VerifyInfo(request, {
      app: (appid) => context.apps.app(appid),
      user: (appid, key) => context.apps.user(appid, key),
      codes: context.miniCodes,
      appTokens: context.appTokens,
      isHighRisk: (userKey) => context.isHighRisk(userKey),
      now: () => context.now(),
      rid: rid(context),
    }),
  ),
);

/** The sandbox's stand-ins for the mini-program client; the POSTs read their JSON body. */
const miniProgramHelper = (name: MiniProgramHelper, readsBody = false): SandboxRoute =>
  page(
    name,
    ({ method, query, body }, context) =>
      handleMiniProgramHelper(name, method, query, body, {
        app: (appid) => context.apps.app(appid),
        usersOf: (appid) => context.apps.usersOf(appid),
        wxLogin: (userKey, appid) => context.wxLogin(userKey, appid),
        phoneCode: (userKey, appid) => context.phoneCode(userKey, appid),
      }),
    readsBody,
  );

/** The sandbox's stand-ins for WeChat inside a native app; the POSTs read their JSON body. */
const nativeAppHelper = (name: NativeAppHelper, readsBody = false): SandboxRoute =>
  page(
    name,
    ({ method, query, body }, context) =>
      handleNativeAppHelper(name, method, query, body, {
        app: (appid) => context.apps.app(appid),
        usersOf: (appid) => context.apps.usersOf(appid),
        appLogin: (request) => context.appLogin(request),
        identityCode: (request) => context.identityCode(request),
      }),
    readsBody,
  );

const WX_LOGIN_JS = page('wx_login_js', (_request, context) =>
  javascript(wxLoginScript(context.publicUrl)),
);

const ROUTES: ReadonlyMap<string, SandboxRoute> = new Map<string, SandboxRoute>([
  [
    '/connect/oauth2/authorize',
    page('authorize', ({ query }, context) =>
      // One path for both: WeCom's in-client links name a corpid as their appid.
      context.corps.corp(query.get('appid') ?? '')
        ? handleWeComAuthorize(query, weComPagesContext(context))
        : handleAuthorize('authorize', query, authorizeContext(context)),
    ),
  ],
  [
    WECOM_DECIDE_PATH,
    page('wecom_decide', ({ query }, context) =>
      handleWeComDecide(query, weComPagesContext(context)),
    ),
  ],
  [
    '/wwlogin/sso/login',
    page('wecom_login', ({ query }, context) =>
      handleWeComLogin(query, weComPagesContext(context)),
    ),
  ],
  [
    WECOM_SCAN_PATH,
    page('wecom_scan', ({ query }, context) => handleWeComScan(query, weComPagesContext(context))),
  ],
  ['/cgi-bin/gettoken', weCom('gettoken')],
  ['/cgi-bin/auth/getuserinfo', weCom('auth_getuserinfo')],
  ['/cgi-bin/auth/getuserdetail', weCom('auth_getuserdetail', true)],
  ['/cgi-bin/user/get', weCom('user_get')],
  [
    '/connect/qrconnect',
    page('qrconnect', ({ query }, context) =>
      // wxLogin.js's iframe: the same endpoint, asked for the embedded page.
      query.get('login_type') === 'jssdk'
        ? handleWxLoginFrame(query, authorizeContext(context))
        : handleAuthorize('qrconnect', query, authorizeContext(context)),
    ),
  ],
  [
    SCAN_PATH,
    page('scan', ({ query }, context) => handleAuthorize('scan', query, authorizeContext(context))),
  ],
  [
    '/connect/sandbox/decide',
    page('decide', ({ query }, context) => handleDecide(query, authorizeContext(context))),
  ],
  [WX_LOGIN_JS_PATH, WX_LOGIN_JS],
  [WX_LOGIN_JS_SHORT_PATH, WX_LOGIN_JS],
  ['/sns/oauth2/access_token', sns('access_token')],
  ['/sns/oauth2/refresh_token', sns('refresh_token')],
  ['/sns/auth', sns('auth')],
  ['/sns/userinfo', sns('userinfo')],
  ['/cgi-bin/stable_token', cgiBin('stable_token', true)],
  ['/cgi-bin/qrcode/create', cgiBin('qrcode_create', true)],
  ['/cgi-bin/user/info', cgiBin('user_info')],
  [
    SHOW_QRCODE_PATH,
    page('showqrcode', ({ query }, context) => handleShowQrcode(query, followQrContext(context))),
  ],
  [
    FOLLOW_SCAN_PATH,
    page(
      'follow_scan',
      ({ method, body }, context) =>
        handleFollowScan(method, body, {
          ...followQrContext(context),
          scan: (ticket, userKey) => context.scan(ticket, userKey),
        }),
      true,
    ),
  ],
  [
    MESSAGE_PUSH_CONSOLE_PATH,
    page(
      'message_push_console',
      (request, context) => handleMessagePushConsole(request, context.messagePush),
      true,
    ),
  ],
  ['/sns/jscode2session', miniProgram('jscode2session')],
  ['/cgi-bin/component/api_start_push_ticket', component('api_start_push_ticket')],
  ['/cgi-bin/component/api_component_token', component('api_component_token')],
  ['/cgi-bin/component/api_create_preauthcode', component('api_create_preauthcode')],
  ['/cgi-bin/component/api_query_auth', component('api_query_auth')],
  ['/cgi-bin/component/api_authorizer_token', component('api_authorizer_token')],
  ['/cgi-bin/component/api_get_authorizer_info', component('api_get_authorizer_info')],
  ['/sns/oauth2/component/access_token', componentSns('component_access_token')],
  ['/sns/oauth2/component/refresh_token', componentSns('component_refresh_token')],
  ['/sns/component/jscode2session', componentSns('component_jscode2session')],
  [
    COMPONENT_LOGIN_PATH,
    page('component_login', ({ query }, context) =>
      handleComponentLogin(false, query, componentLoginContext(context)),
    ),
  ],
  [
    BIND_COMPONENT_PATH,
    page('bind_component', ({ query }, context) =>
      handleComponentLogin(true, query, componentLoginContext(context)),
    ),
  ],
  [
    COMPONENT_CONSOLE_PATH,
    page(
      'component_console',
      (request, context) =>
        handleComponentConsole(request, {
          components: context.components,
          app: (appid) => context.apps.app(appid),
          hosts: context.hosts,
        }),
      true,
    ),
  ],
  [
    COMPONENT_DECIDE_PATH,
    page('component_decide', ({ query }, context) =>
      handleComponentDecide(query, componentLoginContext(context)),
    ),
  ],
  ['/wxa/business/getuserphonenumber', miniProgram('getuserphonenumber', true)],
  [MINI_PROGRAM_USERS_PATH, miniProgramHelper('mini_users')],
  [MINI_PROGRAM_LOGIN_PATH, miniProgramHelper('mini_login', true)],
  [MINI_PROGRAM_PHONE_CODE_PATH, miniProgramHelper('mini_phone_code', true)],
  ['/donut/code2verifyinfo', CODE2VERIFYINFO],
  [APP_USERS_PATH, nativeAppHelper('app_users')],
  [APP_LOGIN_PATH, nativeAppHelper('app_login', true)],
  [APP_IDENTITY_CODE_PATH, nativeAppHelper('app_identity_code', true)],
]);

/** `/sandbox/avatar/<key>.svg`: the default avatar of one of the first app's users. */
const AVATAR = page('avatar', ({ pathname }, context) => {
  const key = avatarKey(pathname);
  const user = context.users.find((candidate) => candidate.key === key);
  return user ? avatarResponse(user) : plainText(404, 'Not Found');
});

/** `/sandbox/wecom/avatar/<corpid>/<key>.svg`: a WeCom member's default avatar. */
const WECOM_AVATAR = page('wecom_avatar', ({ pathname }, context) => {
  const member = weComAvatarOf(pathname, context.corps);
  return member
    ? avatarResponse({ key: member.key, nickname: member.name })
    : plainText(404, 'Not Found');
});

/** The page at a follow QR code's `url`, where a test user scans it. */
const FOLLOW_QR = page('follow_qr', ({ pathname }, context) =>
  handleFollowQrPage(qrCodeId(pathname) ?? '', followQrContext(context)),
);

const NOT_FOUND: SandboxRoute = {
  name: 'not_found',
  api: false,
  readsBody: false,
  handle: () => plainText(404, 'Not Found'),
};

/** The route serving `pathname`: a fixed path, else an avatar or a QR code's page, else 404. */
export function routeOf(pathname: string): SandboxRoute {
  const known = ROUTES.get(pathname);
  if (known) return known;
  if (avatarKey(pathname) !== undefined) return AVATAR;
  if (pathname.startsWith(WECOM_AVATAR_PREFIX)) return WECOM_AVATAR;
  return qrCodeId(pathname) === undefined ? NOT_FOUND : FOLLOW_QR;
}

/** Longer paths are cut in the request log: no route of WeChat's is half as long. */
const MAX_LOGGED_PATH = 200;

/**
 * The path as the request log shows it: a QR code's page without its id (whoever has it can
 * scan the code), anything but printable ASCII as `?`, and cut when it is overlong.
 */
export function logPathOf(route: SandboxRoute, pathname: string): string {
  if (route.name === 'follow_qr') return `${QR_URL_PREFIX}{id}`;
  const printable = pathname.replace(/[^\x21-\x7e]/g, '?');
  return printable.length > MAX_LOGGED_PATH
    ? `${printable.slice(0, MAX_LOGGED_PATH)}...`
    : printable;
}

const ALL_ROUTES: readonly SandboxRoute[] = [
  ...new Set(ROUTES.values()),
  AVATAR,
  WECOM_AVATAR,
  FOLLOW_QR,
  NOT_FOUND,
];

const ENDPOINTS: ReadonlySet<string> = new Set(
  ALL_ROUTES.filter((route) => route.api).map((route) => route.name),
);

/** Whether `name` is a back-channel endpoint, one a fault can target. */
export function isSandboxEndpoint(name: string): name is WxSandboxEndpoint {
  return ENDPOINTS.has(name);
}

/** A request counter per route name, every one at 0. */
export function zeroCounts(): Record<SandboxRouteName, number> {
  return Object.fromEntries(ALL_ROUTES.map((route) => [route.name, 0])) as Record<
    SandboxRouteName,
    number
  >;
}
