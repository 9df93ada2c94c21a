import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { createWxAxios } from '../client/wx-axios.js';
import { WXOAuth } from '../client/wx-oauth.client.js';
import type { WxOnBehalfOf } from '../client/wx-oauth-client.options.js';
import { WxWeComClient } from '../client/wx-wecom.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { WxAuthorizers } from '../component/wx-authorizers.js';
import { WxComponentPlatform } from '../component/wx-component-platform.js';
import { callbackPathOf, type LoginRequest } from '../http/login-request.js';
import type { WxTenant, WxTenantResolver } from '../options/wx-tenant.interface.js';
import type { WxClock } from '../utils/clock.js';
import { TtlMap } from '../utils/ttl-map.js';
import { WX_OAUTH_CLOCK, WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { WX_APP_KINDS, type WxAppKind } from './wx-app-kind.js';
import {
  isAuthorizerApp,
  type WxApp,
  type WxAppAccess,
  type WxClientFactories,
  WxRegistration,
  type WxWeComApp,
} from './wx-registration.js';
import { resolverFailureLog } from './wx-resolver-failure.js';
import { tenantRequestOf } from './wx-tenant-request.js';

/**
 * Every registration the module serves: its fixed one (the options' apps), or
 * with `tenants` each tenant's, loaded through the app's resolver when a
 * request or an appid first needs it and kept for `tenants.cacheTtl` (at most
 * `tenants.max`). Tenants' clients share one connection pool, as they all call
 * the same WeChat host: a client holds no sockets of its own, so an evicted
 * or replaced registration has nothing to close.
 */
@Injectable()
export class WxOAuthApps implements OnApplicationShutdown {
  /** The module's own apps; undefined with `tenants`. */
  readonly fixed?: WxRegistration;
  private readonly resolver?: WxTenantResolver;
  private readonly cacheTtl: number;
  private readonly logErrors: boolean;
  private readonly clients: WxClientFactories;
  private readonly pool?: AxiosInstance;
  /** The tenants' WeCom clients' pool: another host, and so perhaps another proxy. */
  private readonly weComPool?: AxiosInstance;
  private readonly registrations: TtlMap<string, Promise<WxRegistration | undefined>>;
  private readonly appidTenants: TtlMap<string, Promise<string | undefined>>;
  private readonly logger = new Logger('WxOAuthModule');

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    @Inject(WX_OAUTH_CLOCK) clock: WxClock,
    private readonly platform: WxComponentPlatform,
    private readonly authorizers: WxAuthorizers,
  ) {
    const { apiBaseUrl, openBaseUrl, timeout, lang, retry, tenants } = settings;
    // Unused by the fixed registration.
    const maxTenants = tenants?.max ?? 1;
    this.cacheTtl = tenants?.cacheTtl ?? 0;
    this.logErrors = tenants?.logErrors ?? false;
    this.pool = tenants && !settings.axios ? createWxAxios(apiBaseUrl) : undefined;
    this.weComPool =
      tenants && !settings.axios ? createWxAxios(settings.wecomApiBaseUrl) : undefined;
    const axios = settings.axios ?? this.pool;
    this.clients = {
      wechat: (app) =>
        new WXOAuth({ ...this.access(app), apiBaseUrl, openBaseUrl, timeout, lang, retry, axios }),
      wecom: ({ corpid, agentid, secret }) =>
        new WxWeComClient({
          corpid,
          agentid: String(agentid),
          secret,
          apiBaseUrl: settings.wecomApiBaseUrl,
          openBaseUrl,
          loginBaseUrl: settings.wecomLoginBaseUrl,
          timeout,
          retry,
          axios: settings.axios ?? this.weComPool,
        }),
    };
    this.resolver = tenants?.resolver;
    this.fixed = tenants
      ? undefined
      : new WxRegistration(settings, this.clients, undefined, settings.callbackURL);
    const now = () => clock.now();
    this.registrations = new TtlMap(maxTenants, now);
    // A tenant has up to one app of each kind.
    this.appidTenants = new TtlMap(maxTenants * WX_APP_KINDS.length, now);
  }

  /** The client `WXOAuth` injects: the fixed registration's official account, else its website app. */
  get primary(): WXOAuth | undefined {
    return this.fixed?.primary;
  }

  /** The fixed registration's app of `kind`, for `@InjectWxOAuth(kind)`. */
  get(kind: WxAppKind): WXOAuth | undefined {
    return this.fixed?.get(kind);
  }

  /** The registration a login request is for: the fixed one, or its tenant's; `unknown_tenant` (404) for none. */
  async forRequest(req: LoginRequest): Promise<WxRegistration> {
    if (this.fixed) return this.fixed;
    const request = tenantRequestOf(req);
    const id = await this.ask(`tenantOf for host ${quote(request.host)}`, () =>
      this.resolver!.tenantOf(request),
    );
    const registration = id === undefined ? undefined : await this.ofTenant(id);
    if (registration) return registration;
    throw new WxOAuthError(
      'unknown_tenant',
      id === undefined ? `No tenant is served at ${request.host}` : `Tenant ${id} does not exist`,
    );
  }

  /** A tenant's registration, loaded once per `tenants.cacheTtl`; undefined when the resolver knows no such tenant. */
  ofTenant(id: string): Promise<WxRegistration | undefined> {
    let pending = this.registrations.get(id);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => this.ask(`load for tenant ${quote(id)}`, () => this.resolver!.load(id)))
        .then((tenant) => tenant && this.register(id, tenant));
      // A failure is not kept: the next login asks again.
      pending.catch(() => this.registrations.delete(id));
      this.registrations.set(id, pending, this.cacheTtl);
    }
    return pending;
  }

  /** The app `appid`: of `tenant` when a login's state names it, else of the fixed registration or the appid's tenant. */
  async byAppid(appid: string | undefined, tenant?: string): Promise<WxApp | undefined> {
    if (appid === undefined) return undefined;
    if (this.fixed) return this.fixed.byAppid(appid);
    const id = tenant ?? (await this.tenantOfAppid(appid));
    return id === undefined ? undefined : (await this.ofTenant(id))?.byAppid(appid);
  }

  /** The WeCom app a login's state recorded (`ref`, of `tenant`); undefined when no registration has it any more. */
  async weComByRef(ref: string | undefined, tenant?: string): Promise<WxWeComApp | undefined> {
    if (this.fixed) return this.fixed.weComByRef(ref);
    return tenant === undefined ? undefined : (await this.ofTenant(tenant))?.weComByRef(ref);
  }

  /** The client of `appid`, or the fixed registration's primary one; `invalid_request` for an appid no registration has. */
  async clientOf(appid: string | undefined): Promise<WXOAuth> {
    if (appid === undefined) {
      if (this.primary) return this.primary;
      throw new WxOAuthError(
        'invalid_request',
        'Name the appid: with tenants there is no default app',
      );
    }
    const app = await this.byAppid(appid);
    if (!app)
      throw new WxOAuthError('invalid_request', `No app ${appid} is registered with WxOAuthModule`);
    return app.client;
  }

  /**
   * Refuses a login with a merchant's app whose authorisation was revoked
   * (`authorizer_revoked`, 403) before the browser leaves for WeChat; the
   * platform's calls refuse it likewise.
   */
  async assertServing(app: WxApp): Promise<void> {
    await this.refuseRevoked(app.client);
  }

  /**
   * The client of `appid`, as `clientOf`, for handing out what is kept for it
   * (its app token): `authorizer_revoked` (403) for a merchant's app whose
   * authorisation was revoked, at the cost of one store read; any other app as it is.
   */
  async servingClientOf(appid: string | undefined): Promise<WXOAuth> {
    const client = await this.clientOf(appid);
    await this.refuseRevoked(client);
    return client;
  }

  /** Drops a tenant's cached registration: the next request loads it again. */
  forget(tenantId: string): void {
    this.registrations.delete(tenantId);
  }

  onApplicationShutdown(): void {
    this.fixed?.close();
    for (const pool of [this.pool, this.weComPool]) {
      const { httpAgent, httpsAgent } = pool?.defaults ?? {};
      (httpAgent as { destroy?(): void } | undefined)?.destroy?.();
      (httpsAgent as { destroy?(): void } | undefined)?.destroy?.();
    }
  }

  /** How a client calls WeChat: with the app's secret, or on the platform's behalf, refusing a revoked merchant. */
  private access(app: WxAppAccess): { appid: string; secret?: string; component?: WxOnBehalfOf } {
    if (!isAuthorizerApp(app)) return { appid: app.appid, secret: app.secret };
    const { appid, authorizerRefreshToken } = app;
    const component: WxOnBehalfOf = {
      appid: this.platform.registered().appid,
      withToken: async (call) => {
        await this.authorizers.assertAuthorized(appid);
        return this.platform.withToken(call);
      },
      authorizerRefreshToken,
    };
    return { appid, component };
  }

  private async refuseRevoked(client: WXOAuth): Promise<void> {
    if (client.componentAppid !== undefined) await this.authorizers.assertAuthorized(client.appid);
  }

  private tenantOfAppid(appid: string): Promise<string | undefined> {
    let pending = this.appidTenants.get(appid);
    if (!pending) {
      pending = Promise.resolve().then(() =>
        this.ask(`tenantOfAppid for appid ${quote(appid)}`, () =>
          this.resolver!.tenantOfAppid(appid),
        ),
      );
      pending.catch(() => this.appidTenants.delete(appid));
      this.appidTenants.set(appid, pending, this.cacheTtl);
    }
    return pending;
  }

  /** A tenant as the resolver answered it, checked: a misconfigured tenant is named, never its secrets. */
  private register(id: string, tenant: WxTenant): WxRegistration {
    const fail = (what: string) =>
      new WxOAuthError('app_config', `Tenant ${id} from the tenant resolver: ${what}`);
    if (tenant.id !== id) throw fail(`its id is ${JSON.stringify(tenant.id)}`);
    for (const kind of WX_APP_KINDS) {
      const app: WxAppAccess | undefined = tenant[kind];
      if (!app) continue;
      if (!isAuthorizerApp(app)) {
        if (!(isText(app.appid) && isText(app.secret)))
          throw fail(`${kind} needs an appid and a secret`);
        continue;
      }
      if (!THROUGH_PLATFORM.includes(kind))
        throw fail(`${kind} cannot be served through the third-party platform`);
      if (!this.platform.appid)
        throw fail(
          `${kind} is served through the third-party platform, but the module has none (component, or WX_COMPONENT_*)`,
        );
      if (!isText(app.appid) || 'secret' in app)
        throw fail(`${kind} through the platform needs its appid and no secret`);
      if (app.authorizerRefreshToken !== undefined && !isText(app.authorizerRefreshToken))
        throw fail(`${kind}.authorizerRefreshToken must be a non-empty string`);
    }
    const { wecom } = tenant;
    if (
      wecom &&
      !(
        isText(wecom.corpid) &&
        /^\d+$/.test(String(wecom.agentid)) &&
        isText(wecom.secret) &&
        hasPath(wecom.callbackURL)
      )
    )
      throw fail('wecom needs a corpid, an agentid, a secret and an absolute http(s) callbackURL');
    if (!WX_APP_KINDS.some((kind) => tenant[kind]) && !wecom) throw fail('it has no app');
    const { callbackURL } = tenant;
    if (
      callbackURL !== undefined &&
      !hasPath(callbackURL, callbackPathOf(this.settings.callbackURL!))
    )
      throw fail(
        `callbackURL must be an absolute http(s) URL with the path of the module's callbackURL`,
      );
    return new WxRegistration(tenant, this.clients, id, callbackURL ?? this.settings.callbackURL);
  }

  /**
   * The resolver's answer to `question`, as it gave it (a synchronous one
   * stays so, on every login start); its failure (its database down) is
   * `tenant_unavailable` (503), logged with what was asked, never shown.
   */
  private ask<T>(question: string, answer: () => T | Promise<T>): T | Promise<T> {
    try {
      const answered = answer();
      return answered instanceof Promise
        ? answered.catch((error: unknown) => this.failed(question, error))
        : answered;
    } catch (error) {
      return this.failed(question, error);
    }
  }

  private failed(question: string, error: unknown): never {
    if (error instanceof WxOAuthError) throw error;
    const { message, stack } = resolverFailureLog(question, error, this.logErrors);
    if (stack) this.logger.error(message, stack);
    else this.logger.error(message);
    throw new WxOAuthError('tenant_unavailable', 'The tenant resolver failed');
  }
}

/** The kinds a merchant can authorise to a third-party platform. */
const THROUGH_PLATFORM: readonly WxAppKind[] = ['officialAccount', 'miniProgram'];

/** The caller's text (a host, an appid from a cookie) quoted and bounded, for a log line. */
function quote(text: string): string {
  return JSON.stringify(text.slice(0, 255));
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Whether `url` is an absolute http(s) URL, with `path` when given. */
function hasPath(url: unknown, path?: string): boolean {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return (
      /^https?:$/.test(parsed.protocol) && (path === undefined || callbackPathOf(url) === path)
    );
  } catch {
    return false;
  }
}
