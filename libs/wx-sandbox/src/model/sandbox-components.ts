import { checkMessagePush } from './message-push-settings.js';
import { randomAlnum } from './random-strings.js';
import { randomSecret } from './sandbox-apps.js';

/**
 * A third-party platform (开放平台第三方平台) registered with the sandbox: a SaaS that
 * merchants authorise their official accounts and mini-programs to, and that then logs their
 * users in on their behalf with `component_appid` and its own token.
 */
export interface WxSandboxComponent {
  /** The platform's `component_appid`. */
  appid: string;
  /** `component_appsecret`. @default a random 32-hex string */
  secret?: string;
  /** The message-check Token (消息校验Token): signs every push. @default 32 random letters and digits */
  token?: string;
  /** The EncodingAESKey (消息加解密Key), 43 characters; pushes are always encrypted. @default random */
  encodingAesKey?: string;
  /**
   * The authorisation-event URL (授权事件接收URL), http(s), where tickets and authorisation
   * events are pushed. Left out, tickets are minted on time but pushed nowhere;
   * `WxSandbox.setComponentEventUrl` sets it once the app listens.
   */
  eventUrl?: string;
  /**
   * How often a new `component_verify_ticket` is minted and pushed; 0 pushes only on demand
   * (`pushComponentTicket`, `api_start_push_ticket`).
   * @default 600_000 (10 minutes, as on WeChat)
   */
  ticketIntervalMs?: number;
  /** Shown on the authorisation page. @default 'Sandbox Platform' */
  name?: string;
  /**
   * The hosts a `redirect_uri` may name, on the authorisation page and in web authorisation on
   * behalf (授权发起页域名 and 网页授权域名), e.g. `['saas.test', 'localhost:3000']`.
   * @default any host
   */
  redirectDomains?: readonly string[];
}

/** A platform as the sandbox holds it: every setting resolved. */
export interface WxSandboxComponentInfo {
  readonly appid: string;
  readonly secret: string;
  readonly token: string;
  readonly encodingAesKey: string;
  readonly eventUrl: string | undefined;
  readonly ticketIntervalMs: number;
  readonly name: string;
  /** `undefined`: any host. */
  readonly redirectDomains: readonly string[] | undefined;
}

/** The platform a sandbox has when the `components` option is left out. */
export const DEFAULT_SANDBOX_COMPONENT_APPID = 'wx0sandbox0component';

/** WeChat pushes a new ticket every 10 minutes. */
export const DEFAULT_TICKET_INTERVAL_MS = 10 * 60 * 1000;

/** Validates the `components` option; appids must be unique, and differ from every app's. */
export function resolveComponents(
  components: readonly WxSandboxComponent[] | undefined,
  appids: readonly string[],
): WxSandboxComponentInfo[] {
  const list = components ?? [{ appid: DEFAULT_SANDBOX_COMPONENT_APPID }];
  if (!Array.isArray(list) || list.length === 0)
    throw new Error('WxSandbox: components must not be empty');
  const seen = new Set<string>(appids);
  return list.map((component) => {
    const resolved = resolveComponent(component);
    if (seen.has(resolved.appid))
      throw new Error(`WxSandbox: duplicate appid '${resolved.appid}' (component)`);
    seen.add(resolved.appid);
    return resolved;
  });
}

function resolveComponent(component: WxSandboxComponent): WxSandboxComponentInfo {
  if (!component || typeof component.appid !== 'string' || !component.appid)
    throw new Error('WxSandbox: every component needs an appid');
  const { appid } = component;
  const fail = (what: string): never => {
    throw new Error(`WxSandbox: component '${appid}' ${what}`);
  };
  if (component.secret !== undefined && (typeof component.secret !== 'string' || !component.secret))
    fail('has an empty secret');
  const token = component.token ?? randomAlnum(32);
  const encodingAesKey = component.encodingAesKey ?? randomAesKey();
  // The push settings' own checks: a token, a 43-char key, an http(s) URL.
  checkMessagePush({
    url: component.eventUrl ?? 'http://component.invalid/',
    token,
    encodingAesKey,
  });
  const interval = component.ticketIntervalMs ?? DEFAULT_TICKET_INTERVAL_MS;
  if (!Number.isFinite(interval) || interval < 0) fail('needs ticketIntervalMs >= 0');
  const domains = component.redirectDomains;
  if (
    domains !== undefined &&
    (!Array.isArray(domains) || domains.some((host) => typeof host !== 'string' || !host))
  )
    fail('needs redirectDomains of non-empty hosts');
  return Object.freeze({
    appid,
    secret: component.secret ?? randomSecret(),
    token,
    encodingAesKey,
    eventUrl: component.eventUrl,
    ticketIntervalMs: interval,
    name: component.name || 'Sandbox Platform',
    redirectDomains: domains === undefined ? undefined : Object.freeze([...domains]),
  });
}

/** The platform with another event URL (`undefined`: none), checked as at start. */
export function withEventUrl(
  component: WxSandboxComponentInfo,
  eventUrl: string | undefined,
): WxSandboxComponentInfo {
  if (eventUrl !== undefined) {
    checkMessagePush({ url: eventUrl, token: component.token });
  }
  return Object.freeze({ ...component, eventUrl });
}

/**
 * The permission sets (func_info ids) a merchant grants by default: an official account's
 * messages, users, account and web pages (4, which web authorisation on its behalf needs); a
 * mini-program's account, development and customer-service messages.
 */
export function defaultFuncInfo(app: { kind: string }): readonly number[] {
  return app.kind === 'miniProgram' ? [17, 18, 19] : [1, 2, 3, 4];
}

/** Whether `redirectUri` is on one of the platform's domains (any, when it names none). */
export function onComponentDomain(component: WxSandboxComponentInfo, redirectUri: string): boolean {
  if (component.redirectDomains === undefined) return true;
  const url = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
  return (
    !!url && component.redirectDomains.some((host) => host === url.host || host === url.hostname)
  );
}

/** 43 letters and digits, the shape the console generates. */
function randomAesKey(): string {
  return randomAlnum(43);
}
