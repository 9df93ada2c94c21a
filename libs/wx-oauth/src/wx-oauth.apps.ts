import { WXOAuth } from './client/wx-oauth.client.js';
import { WxOAuthError } from './client/wx-oauth.error.js';
import type { WxScope } from './client/wx-oauth.types.js';
import type { ResolvedWxOAuthOptions, WxAppKind } from './wx-oauth.options.js';

/** A registered app with its client. */
export interface WxApp {
  kind: WxAppKind;
  client: WXOAuth;
}

const LABELS: Record<WxAppKind, string> = { officialAccount: 'official account', website: 'website app' };

/**
 * The registration's WeChat apps and the flow each one serves: `snsapi_login`
 * is the website app's (the desktop QR login), `snsapi_base` and
 * `snsapi_userinfo` the official account's (inside WeChat). One app registered
 * as `appid` serves both flows with one client.
 */
export class WxOAuthApps {
  private readonly clients: Partial<Record<WxAppKind, WXOAuth>> = {};

  constructor(options: ResolvedWxOAuthOptions) {
    const shared = options.byKind ? undefined : new WXOAuth({ ...options, ...options.apps.officialAccount! });
    for (const [kind, credentials] of Object.entries(options.apps) as [WxAppKind, { appid: string; secret: string }][]) {
      this.clients[kind] = shared ?? new WXOAuth({ ...options, ...credentials });
    }
  }

  /** The client `WXOAuth` injects: the official account's, else the website app's. */
  get primary(): WXOAuth {
    return (this.clients.officialAccount ?? this.clients.website)!;
  }

  get(kind: WxAppKind): WXOAuth | undefined {
    return this.clients[kind];
  }

  /** The app a login with `scope` needs; `flow_unavailable` (before the browser leaves the site) when it is not registered. */
  forScope(scope: WxScope): WxApp {
    const kind = kindOf(scope);
    const client = this.clients[kind];
    if (!client) {
      const where = kind === 'website' ? 'inside WeChat: open this page in WeChat' : 'on a computer, or register the official account';
      throw new WxOAuthError(
        'flow_unavailable',
        `This site has no WeChat ${LABELS[kind]} for the ${scope} login; log in ${where}`,
      );
    }
    return { kind, client };
  }

  /** The app that started a login, by the appid its state recorded. */
  byAppid(appid: string | undefined): WxApp | undefined {
    for (const [kind, client] of Object.entries(this.clients) as [WxAppKind, WXOAuth][]) {
      if (client.appid === appid) return { kind, client };
    }
    return undefined;
  }

  /** What an error message says of an app: its kind and appid, never its secret. */
  describe({ kind, client }: WxApp): string {
    return `${LABELS[kind]} ${client.appid}`;
  }

  close(): void {
    for (const client of new Set(Object.values(this.clients))) client.close();
  }
}

/** Which app a scope needs. */
export function kindOf(scope: WxScope): WxAppKind {
  return scope === 'snsapi_login' ? 'website' : 'officialAccount';
}
