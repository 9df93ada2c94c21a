import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope } from '../client/wx-oauth.types.js';
import type { WxAppCredentials } from '../interfaces/wx-oauth-module-options.interface.js';
import { WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../wx-oauth.options.js';
import {
  kindForScope,
  WX_APP_KINDS,
  WX_APP_LABELS,
  WX_WEB_APP_KINDS,
  type WxAppKind,
} from './wx-app-kind.js';
import { isWeChatBrowser } from './wx-user-agent.js';

/** A registered app with its client. */
export interface WxApp {
  kind: WxAppKind;
  client: WXOAuth;
}

/**
 * The registration's WeChat apps and the flow each one serves: `snsapi_login`
 * is the website app's (the desktop QR login), `snsapi_base` and
 * `snsapi_userinfo` the official account's (inside WeChat), `wx.login()` codes
 * the mini-program's. One app registered as `appid` serves both browser flows
 * with one client. Their pooled connections close with the app.
 */
@Injectable()
export class WxOAuthApps implements OnApplicationShutdown {
  /** Whether the browser apps were registered by kind (`officialAccount` / `website`) rather than as one `appid`. */
  readonly byKind: boolean;
  private readonly clients: Partial<Record<WxAppKind, WXOAuth>> = {};

  constructor(@Inject(WX_OAUTH_OPTIONS) settings: WxOAuthSettings) {
    const { apiBaseUrl, openBaseUrl, timeout, lang, retry, axios } = settings;
    const client = (credentials: WxAppCredentials) =>
      new WXOAuth({ ...credentials, apiBaseUrl, openBaseUrl, timeout, lang, retry, axios });
    this.byKind = !settings.appid;
    if (settings.appid) {
      const shared = client({ appid: settings.appid, secret: settings.secret! });
      for (const kind of WX_WEB_APP_KINDS) this.clients[kind] = shared;
    } else {
      for (const kind of WX_WEB_APP_KINDS) {
        const credentials = settings[kind];
        if (credentials) this.clients[kind] = client(credentials);
      }
    }
    if (settings.miniProgram) this.clients.miniProgram = client(settings.miniProgram);
  }

  /** The client `WXOAuth` injects: the official account's, else the website app's. */
  get primary(): WXOAuth {
    return (this.clients.officialAccount ?? this.clients.website)!;
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
        `This site has no WeChat ${WX_APP_LABELS[kind]} for the ${scope} login; log in ${where}`,
      );
    }
    return { kind, client };
  }

  /** The app that started a login, by the appid its state recorded. */
  byAppid(appid: string | undefined): WxApp | undefined {
    for (const kind of WX_APP_KINDS) {
      const client = this.clients[kind];
      if (client && client.appid === appid) return { kind, client };
    }
    return undefined;
  }

  /** The client of `appid`, or the primary one; `invalid_request` for an appid not registered. */
  clientOf(appid: string | undefined): WXOAuth {
    if (appid === undefined) return this.primary;
    const app = this.byAppid(appid);
    if (!app)
      throw new WxOAuthError('invalid_request', `No app ${appid} is registered with WxOAuthModule`);
    return app.client;
  }

  /** The mini-program; `flow_unavailable` when none is registered. */
  miniProgram(): WxApp {
    const client = this.clients.miniProgram;
    if (!client)
      throw new WxOAuthError(
        'flow_unavailable',
        'This site has no WeChat mini-program registered (miniProgram, or WX_MINI_APPID / WX_MINI_SECRET)',
      );
    return { kind: 'miniProgram', client };
  }

  /** `call`'s result; WeChat refusing the app itself (`app_config`) names the app, so that the misconfigured one is found. */
  async naming<T>(app: WxApp, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof WxOAuthError && error.kind === 'app_config')
        throw new WxOAuthError('app_config', `${error.message} (the ${this.describe(app)})`, error);
      throw error;
    }
  }

  /** What an error message says of an app: its kind and appid, never its secret. */
  describe({ kind, client }: WxApp): string {
    return `${WX_APP_LABELS[kind]} ${client.appid}`;
  }

  onApplicationShutdown(): void {
    for (const client of new Set(Object.values(this.clients))) client.close();
  }
}
