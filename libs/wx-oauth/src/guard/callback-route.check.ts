import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import { WxAuthGuard } from './wx-auth.guard.js';
import { isProduction } from '../utils/node-env.js';
import { WX_LOGIN_ROUTE, WX_OAUTH_OPTIONS } from '../wx-oauth.constants.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import { callbackPathOf } from '../http/login-request.js';
import { servesGet } from '../http/served-routes.js';

/**
 * At start-up, once Nest has registered the app's routes: in an app with a
 * `WxAuthGuard` route of an OAuth2 login, a `callbackURL` whose path no GET route serves would
 * only show after WeChat, as a 404. The app then fails to start, naming the
 * path (in production it logs the problem instead, in case a route the router
 * cannot see serves it). Apps that only call WeChat's API are left alone.
 */
@Injectable()
export class CallbackRouteCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('WxOAuthModule');

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost?.httpAdapter;
    const { callbackURL } = this.settings;
    // A mini-program-only registration has no browser login, and so no callback.
    if (!callbackURL) return;
    const path = callbackPathOf(callbackURL);
    if (!adapter || !this.hasLoginRoute() || servesGet(adapter, path) !== false) return;
    const message =
      `No GET route serves ${path}, the path of callbackURL: WeChat would send every login back to a 404. ` +
      'Guard a route on that path with WxAuthGuard, or set callbackURL to the path of the route that has it.';
    if (isProduction()) this.logger.error(message);
    else throw new Error(message);
  }

  /** Whether a handler is guarded by `WxAuthGuard` (or a subclass) for an OAuth2 login: not a follow or mini-program login's route. */
  private hasLoginRoute(): boolean {
    const isLoginGuard = (guard: unknown): boolean =>
      guard instanceof WxAuthGuard ||
      (typeof guard === 'function' && guard.prototype instanceof WxAuthGuard) ||
      guard === WxAuthGuard;
    const guarded = (target: object): boolean =>
      ((Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? []).some(
        isLoginGuard,
      );
    // A route of another login kind (its decorator's `WxLoginRoute`) has no callback.
    const otherFlow = (target: object): boolean =>
      Reflect.getMetadata(WX_LOGIN_ROUTE, target) !== undefined;
    return this.discovery.getControllers().some(({ metatype }) => {
      if (typeof metatype !== 'function' || otherFlow(metatype)) return false;
      const proto = metatype.prototype as Record<string, object>;
      return this.scanner
        .getAllMethodNames(proto)
        .some((name) => (guarded(metatype) || guarded(proto[name])) && !otherFlow(proto[name]));
    });
  }
}
