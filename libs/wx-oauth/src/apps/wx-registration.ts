import type { WXOAuth } from '../client/wx-oauth.client.js';
import type { WxWeComClient } from '../client/wx-wecom.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope } from '../client/wx-oauth.types.js';
import type {
  WxAppCredentials,
  WxAuthorizerApp,
  WxWeComOptions,
} from '../options/wx-tenant.interface.js';
import { NATIVE_APPS, type WxOAuthSettings } from '../options/wx-oauth.options.js';
import {
  kindForScope,
  WX_APP_KINDS,
  WX_APP_LABELS,
  WX_WEB_APP_KINDS,
  type WxAppKind,
} from './wx-app-kind.js';
import { isWeChatBrowser } from './wx-user-agent.js';

/** A registered app with its client, and its tenant's id. */
export interface WxApp {
  kind: WxAppKind;
  client: WXOAuth;
  tenant?: string;
}

/** A registered WeCom app with its client, the URL its logins come back to, and its tenant's id. */
export interface WxWeComApp {
  client: WxWeComClient;
  callbackURL: string;
  tenant?: string;
}

/** What a login's state records of a WeCom app, as an app's appid: its key, the corpid and the agentid. */
export function weComRef(client: WxWeComClient): string {
  return `${client.corpid}-${client.agentid}`;
}

/** What an error message says of an app: its kind, appid (corpid and agentid) and tenant, never its secret. */
export function describeApp(app: WxApp | WxWeComApp): string {
  const name =
    'kind' in app
      ? `${WX_APP_LABELS[app.kind]} ${app.client.appid}`
      : `WeCom app ${app.client.corpid} (agentid ${app.client.agentid})`;
  return `${name}${app.tenant === undefined ? '' : ` of tenant ${app.tenant}`}`;
}

/** `call`'s result; WeChat or WeCom refusing the app itself (`app_config`) names the app, so that the misconfigured one is found. */
export async function naming<T>(app: WxApp | WxWeComApp, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof WxOAuthError && error.kind === 'app_config')
      throw new WxOAuthError('app_config', `${error.message} (the ${describeApp(app)})`, error);
    throw error;
  }
}

/** The credentials of one registration: one `appid` for both browser flows, or its apps by kind; a merchant's, through the platform. */
export type WxRegistrationApps = Pick<
  WxOAuthSettings,
  'appid' | 'secret' | 'website' | 'mobileApp' | 'multiEndApp'
> & {
  officialAccount?: WxAppCredentials | WxAuthorizerApp;
  miniProgram?: WxAppCredentials | WxAuthorizerApp;
  wecom?: WxWeComOptions;
};

/** An app's credentials: its own secret, or a merchant's served through the platform. */
export type WxAppAccess = WxAppCredentials | WxAuthorizerApp;

/** Whether `app` is a merchant's, served through the third-party platform. */
export function isAuthorizerApp(app: WxAppAccess): app is WxAuthorizerApp {
  return (app as Partial<WxAuthorizerApp>).component === true;
}

/** How a registration makes its clients: WeChat's apps' (a merchant's through the platform), and a WeCom app's. */
export interface WxClientFactories {
  wechat(credentials: WxAppAccess): WXOAuth;
  wecom(app: WxWeComOptions): WxWeComClient;
}

type WxNativeKind = (typeof NATIVE_APPS)[number];

/** The configuration keys of each app that logs in outside the browser, for the message that it is missing. */
const NATIVE_KEYS: Record<WxNativeKind, string> = {
  miniProgram: 'WX_MINI_APPID / WX_MINI_SECRET',
  mobileApp: 'WX_MOBILE_APPID / WX_MOBILE_SECRET',
  multiEndApp: 'WX_MULTIEND_APPID / WX_MULTIEND_SECRET',
};

/**
 * One registration's WeChat apps (the module's fixed one, or a tenant's) and
 * the flow each one serves: `snsapi_login` is the website app's (the desktop
 * QR login), `snsapi_base` and `snsapi_userinfo` the official account's
 * (inside WeChat), `wx.login()` codes the mini-program's, OpenSDK codes the
 * mobile app's, `wx.weixinAppLogin()` codes the multi-end app's. One app registered as
 * `appid` serves both browser flows with one client. Beside them, a WeCom app
 * serves the WeCom logins.
 */
export class WxRegistration {
  /** Whether the browser apps were registered by kind (`officialAccount` / `website`) rather than as one `appid`. */
  readonly byKind: boolean;
  private readonly clients: Partial<Record<WxAppKind, WXOAuth>> = {};
  private readonly weComApp?: WxWeComApp;

  constructor(
    apps: WxRegistrationApps,
    factories: WxClientFactories,
    /** The tenant's id; undefined for the module's fixed registration. */
    readonly tenant?: string,
    /** Its callback URL (a tenant's own, else the module's); none for a registration of native apps only. */
    readonly callbackURL?: string,
  ) {
    this.byKind = !apps.appid;
    const client = (credentials: WxAppAccess) => factories.wechat(credentials);
    if (apps.appid) {
      const shared = client({ appid: apps.appid, secret: apps.secret! });
      for (const kind of WX_WEB_APP_KINDS) this.clients[kind] = shared;
    } else {
      for (const kind of WX_WEB_APP_KINDS) {
        const credentials = apps[kind];
        if (credentials) this.clients[kind] = client(credentials);
      }
    }
    for (const kind of NATIVE_APPS) {
      const credentials = apps[kind];
      if (credentials) this.clients[kind] = client(credentials);
    }
    if (apps.wecom)
      this.weComApp = {
        client: factories.wecom(apps.wecom),
        callbackURL: apps.wecom.callbackURL,
        tenant,
      };
  }

  /** The client `WXOAuth` injects: the official account's, else the website app's. */
  get primary(): WXOAuth | undefined {
    return this.clients.officialAccount ?? this.clients.website;
  }

  get(kind: WxAppKind): WXOAuth | undefined {
    return this.clients[kind];
  }

  /**
   * The scope and app of a login. A route's own scope wins; without one, a
   * registration by kind logs in by the browser: inside WeChat with `inWeChat`
   * (the module's scope), elsewhere with the website QR login.
   */
  forLogin(
    userAgent: string | undefined,
    inWeChat: WxScope,
    routeScope?: WxScope,
  ): { scope: WxScope; app: WxApp } {
    const scope =
      routeScope ?? (this.byKind && !isWeChatBrowser(userAgent) ? 'snsapi_login' : inWeChat);
    return { scope, app: this.forScope(scope) };
  }

  /** The app a login with `scope` needs; `flow_unavailable` (before the browser leaves the site) when it is not registered. */
  forScope(scope: WxScope): WxApp {
    const kind = kindForScope(scope);
    const client = this.clients[kind];
    if (!client) {
      const where =
        kind === 'website'
          ? 'inside WeChat: open this page in WeChat'
          : 'on a computer, or register the official account';
      throw new WxOAuthError(
        'flow_unavailable',
        `${this.site()} has no WeChat ${WX_APP_LABELS[kind]} for the ${scope} login; log in ${where}`,
      );
    }
    return { kind, client, tenant: this.tenant };
  }

  /** The app that started a login, by the appid its state recorded. */
  byAppid(appid: string | undefined): WxApp | undefined {
    for (const kind of WX_APP_KINDS) {
      const client = this.clients[kind];
      if (client && client.appid === appid) return { kind, client, tenant: this.tenant };
    }
    return undefined;
  }

  /** The mini-program; `flow_unavailable` when none is registered. */
  miniProgram(): WxApp {
    return this.native('miniProgram');
  }

  /** The mobile app; `flow_unavailable` when none is registered. */
  mobileApp(): WxApp {
    return this.native('mobileApp');
  }

  /** The multi-end app; `flow_unavailable` when none is registered. */
  multiEndApp(): WxApp {
    return this.native('multiEndApp');
  }

  /** The WeCom app; `flow_unavailable` when none is registered. */
  weCom(): WxWeComApp {
    if (!this.weComApp)
      throw new WxOAuthError(
        'flow_unavailable',
        `${this.site()} has no WeCom app registered (wecom, or WX_WECOM_CORPID / WX_WECOM_AGENTID / WX_WECOM_SECRET)`,
      );
    return this.weComApp;
  }

  /** The WeCom app a login's state recorded (`weComRef`); undefined when the registration has it no more. */
  weComByRef(ref: string | undefined): WxWeComApp | undefined {
    const app = this.weComApp;
    return app && weComRef(app.client) === ref ? app : undefined;
  }

  /** Closes the clients' own pooled connections. */
  close(): void {
    for (const client of new Set(Object.values(this.clients))) client.close();
    this.weComApp?.client.close();
  }

  /** The app of a kind that logs in outside the browser; `flow_unavailable`, naming its keys, when it is not registered. */
  private native(kind: WxNativeKind): WxApp {
    const client = this.clients[kind];
    if (!client)
      throw new WxOAuthError(
        'flow_unavailable',
        `${this.site()} has no WeChat ${WX_APP_LABELS[kind]} registered (${kind}, or ${NATIVE_KEYS[kind]})`,
      );
    return { kind, client, tenant: this.tenant };
  }

  private site(): string {
    return this.tenant === undefined ? 'This site' : `Tenant ${this.tenant}`;
  }
}
