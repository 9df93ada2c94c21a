import { randomBytes } from 'node:crypto';
import {
  resolveApps,
  singleApp,
  type WxSandboxApp,
  type WxSandboxAppInfo,
} from './model/sandbox-apps.js';
import {
  resolveComponents,
  type WxSandboxComponent,
  type WxSandboxComponentInfo,
} from './model/sandbox-components.js';
import type { WxSandboxCorp } from './model/wecom-corps.js';
import type { WxSandboxRequestRecord, WxSandboxUserSeed } from './wx-sandbox.types.js';

export interface WxSandboxOptions {
  /**
   * The apps the sandbox knows, each an official account, a website app, a mini-program, a
   * mobile app or a multi-end app, as on WeChat: an official account's appid only on
   * `/connect/oauth2/authorize`, a website app's only on `/connect/qrconnect`, a
   * mini-program's only on `/sns/jscode2session`, a mobile app's on no browser page (its
   * codes come from `appLogin`), a multi-end app's only on `/donut/code2verifyinfo`.
   * The first one is `appid`/`secret` and the default of `issueCode`. Not with `appid`,
   * `secret` or `unionid`, which describe the single app.
   * @default one app of the single-app form, which takes both flows (a sandbox convenience)
   */
  apps?: readonly WxSandboxApp[];
  /**
   * The one app the sandbox knows, when `apps` is left out.
   * @default 'wx0sandbox0appid'
   */
  appid?: string;
  /**
   * The app secret.
   * @default a random 32-hex string per instance, so tests can grep for leaks
   */
  secret?: string;
  /**
   * The app name shown on the consent page (for apps without a `name`).
   * @default 'Sandbox App'
   */
  appName?: string;
  /**
   * The test users; keys must be unique.
   * @default alice, bob (emoji nickname), carol (no avatar) and snap (a snapshot-page user);
   *   alice's phone number is 13800138000, bob's 13900139000, carol's 13700137000, snap has none
   */
  users?: WxSandboxUserSeed[];
  /**
   * A user key to approve instantly on the authorize endpoints (302 straight back),
   * or `false` to show the consent page.
   * @default false
   */
  autoApprove?: string | false;
  /**
   * The WeCom (企业微信) corps, each with its self-built apps, members and non-members; their
   * corpids must not be appids of the WeChat apps or of the third-party platforms. WeCom is always there beside WeChat.
   * @default one corp, `ww0sandbox0corp`, with one app (agentid `1000002`, a random secret)
   *   and the members zhangsan, lisi, wangwu (no mobile, email or avatar) and zhaoliu (outside
   *   the app's visible range), and the non-members guest (a WeChat user) and customer (an
   *   external contact)
   */
  corps?: readonly WxSandboxCorp[];
  /**
   * The member or non-member key the WeCom client is signed in as, who agrees to everything:
   * the in-client authorize link and the web login page redirect straight back. `false`: the
   * pages ask who (and, for snsapi_privateinfo, whether they agree).
   * @default false
   */
  weComAutoApprove?: string | false;
  /**
   * Whether `unionid` is returned at all (the app is bound to an open platform account).
   * @default true
   */
  unionid?: boolean;
  /**
   * The interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * The port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * The base URL browsers use to reach the sandbox, e.g. behind a port mapping
   * (`http://localhost:8080`). Default avatars and the QR code of `/connect/qrconnect`
   * point here.
   * @default the `url` it listens on
   */
  publicUrl?: string;
  /**
   * How long an authorization code stays valid, under the sandbox clock: the browser
   * pages' and a mobile app's (`appLogin`).
   * @default 300_000 (5 minutes, as for official accounts)
   */
  codeTtlMs?: number;
  /**
   * How long a mini-program's codes stay valid, under the sandbox clock: `wx.login()`'s
   * js_code and the getPhoneNumber button's code, each single use; and a multi-end app's
   * identity codes (`identityCode`).
   * @default 300_000 (5 minutes, as on WeChat)
   */
  miniCodeTtlMs?: number;
  /**
   * How long a refresh token stays valid from issue; it is never extended.
   * @default 2_592_000_000 (30 days)
   */
  refreshTokenTtlMs?: number;
  /**
   * `expires_in` of access tokens.
   * @default 7200
   */
  accessTokenTtlSeconds?: number;
  /**
   * Added to every `/sns`, `/cgi-bin`, `/wxa` and `/donut` API answer.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Added once to the first request of each new TCP connection, as a TLS handshake would.
   * @default 0
   */
  connectionLatencyMs?: number;
  /**
   * How long WeChat waits for an app to answer a message push before it tries again.
   * @default 5000
   */
  pushTimeoutMs?: number;
  /**
   * Serve HTTPS with this PEM key and certificate instead of plain HTTP: `url` starts
   * with `https://`, and each new connection pays a real TLS handshake. Clients must
   * trust the certificate, e.g. through `NODE_EXTRA_CA_CERTS` in a child process.
   * @default undefined (plain HTTP)
   */
  tls?: WxSandboxTlsOptions;
  /**
   * The third-party platforms (开放平台第三方平台) registered with WeChat, each a SaaS that
   * the sandbox's official accounts and mini-programs (the merchants' accounts) can be
   * authorised to: its `component_appid`, secret, message Token and EncodingAESKey, the
   * authorisation-event URL its tickets and events are pushed to, and how often a ticket is.
   * @default one platform, `'wx0sandbox0component'`, with random secret, Token and key, no
   *   event URL (`setComponentEventUrl`), a ticket every 10 minutes
   */
  components?: readonly WxSandboxComponent[];
  /**
   * How long a `component_verify_ticket` stays good for `api_component_token` (only the
   * newest ever is), under the sandbox clock.
   * @default 43_200_000 (12 hours, as on WeChat)
   */
  componentTicketTtlMs?: number;
  /**
   * How long a platform's `pre_auth_code` stays valid (it is single use), under the sandbox clock.
   * @default 1_800_000 (30 minutes, as on WeChat)
   */
  preAuthCodeTtlMs?: number;
  /**
   * Called once for each request answered, with its method, path, app and outcome (never a
   * query, a body or anything secret): the sandbox command's request log.
   * @default undefined (nothing is recorded)
   */
  onRequest?: (record: WxSandboxRequestRecord) => void;
}

/** A PEM private key and the certificate that goes with it, for `WxSandbox.start({ tls })`. */
export interface WxSandboxTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
}

export type ResolvedWxSandboxOptions = Required<
  Omit<
    WxSandboxOptions,
    'apps' | 'users' | 'publicUrl' | 'tls' | 'onRequest' | 'corps' | 'components'
  >
> & {
  /** Checked once the sandbox listens (default avatars need its URL). */
  corps: readonly WxSandboxCorp[] | undefined;
  /** Never empty; `appid` and `secret` are the first one's. */
  apps: WxSandboxAppInfo[];
  components: WxSandboxComponentInfo[];
  users: WxSandboxUserSeed[] | undefined;
  /** Without a trailing slash; `undefined` until the listening `url` stands in. */
  publicUrl: string | undefined;
  tls: WxSandboxTlsOptions | undefined;
  onRequest: ((record: WxSandboxRequestRecord) => void) | undefined;
};

export const DEFAULT_SANDBOX_APPID = 'wx0sandbox0appid';

const DAY_MS = 24 * 60 * 60 * 1000;

export function resolveSandboxOptions(options: WxSandboxOptions = {}): ResolvedWxSandboxOptions {
  const appName = options.appName ?? 'Sandbox App';
  if (options.apps !== undefined) {
    for (const key of ['appid', 'secret', 'unionid'] as const) {
      if (options[key] !== undefined)
        throw new Error(
          `WxSandbox: '${key}' describes the single app; with 'apps' set it on each app`,
        );
    }
  }
  const appid = options.appid ?? DEFAULT_SANDBOX_APPID;
  const secret = options.secret ?? randomBytes(16).toString('hex');
  if (!appid) throw new Error('WxSandbox: appid must not be empty');
  if (!secret) throw new Error('WxSandbox: secret must not be empty');
  const apps =
    options.apps === undefined
      ? [singleApp(appid, secret, options.unionid ?? true, appName)]
      : resolveApps(options.apps, appName);
  const resolved: ResolvedWxSandboxOptions = {
    apps,
    appid: apps[0].appid,
    secret: apps[0].secret,
    appName,
    users: options.users,
    autoApprove: options.autoApprove ?? false,
    corps: options.corps,
    weComAutoApprove: options.weComAutoApprove ?? false,
    unionid: apps[0].openPlatform !== undefined,
    components: resolveComponents(
      options.components,
      apps.map((app) => app.appid),
    ),
    componentTicketTtlMs: options.componentTicketTtlMs ?? 12 * 60 * 60 * 1000,
    preAuthCodeTtlMs: options.preAuthCodeTtlMs ?? 30 * 60 * 1000,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    publicUrl: options.publicUrl === undefined ? undefined : checkPublicUrl(options.publicUrl),
    codeTtlMs: options.codeTtlMs ?? 5 * 60 * 1000,
    miniCodeTtlMs: options.miniCodeTtlMs ?? 5 * 60 * 1000,
    refreshTokenTtlMs: options.refreshTokenTtlMs ?? 30 * DAY_MS,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 7200,
    latencyMs: options.latencyMs ?? 0,
    connectionLatencyMs: options.connectionLatencyMs ?? 0,
    pushTimeoutMs: options.pushTimeoutMs ?? 5000,
    tls: options.tls === undefined ? undefined : checkTls(options.tls),
    onRequest: checkOnRequest(options.onRequest),
  };
  for (const key of [
    'codeTtlMs',
    'miniCodeTtlMs',
    'refreshTokenTtlMs',
    'accessTokenTtlSeconds',
    'latencyMs',
    'connectionLatencyMs',
    'pushTimeoutMs',
    'componentTicketTtlMs',
    'preAuthCodeTtlMs',
  ] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) {
      throw new Error(`WxSandbox: ${key} must be a number >= 0`);
    }
  }
  return resolved;
}

/** An absolute http(s) base URL, without the trailing slash that would double up in paths. */
function checkPublicUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new Error(
      `WxSandbox: publicUrl must be an absolute http(s) URL without query, got '${value}'`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function checkOnRequest(
  onRequest: WxSandboxOptions['onRequest'],
): ResolvedWxSandboxOptions['onRequest'] {
  if (onRequest !== undefined && typeof onRequest !== 'function') {
    throw new Error('WxSandbox: onRequest must be a function');
  }
  return onRequest;
}

function checkTls(tls: WxSandboxTlsOptions): WxSandboxTlsOptions {
  const isPem = (value: unknown) =>
    (typeof value === 'string' || Buffer.isBuffer(value)) && value.length > 0;
  if (!tls || !isPem(tls.key) || !isPem(tls.cert)) {
    throw new Error('WxSandbox: tls needs a PEM key and cert');
  }
  return { key: tls.key, cert: tls.cert };
}
