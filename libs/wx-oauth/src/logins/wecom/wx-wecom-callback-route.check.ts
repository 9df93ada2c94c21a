import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
  RequestMethod,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import { callbackPathOf } from '../../http/login-request.js';
import { servesGet } from '../../http/served-routes.js';
import type { WxOAuthSettings } from '../../options/wx-oauth.options.js';
import { isProduction } from '../../utils/node-env.js';
import {
  WX_LOGIN_ROUTE,
  WX_OAUTH_OPTIONS,
  WX_STRATEGIES,
  type WxLoginRoute,
} from '../../wx-oauth.constants.js';

/**
 * At start-up, once Nest has registered the app's routes: WeCom brings every
 * login back to `wecom.callbackURL`, so a GET route with `@WxWeComLoginRoute()`
 * must serve its path (else every login ends as a 404, or on a route that
 * does not finish it). The app then fails to start, naming the path; in
 * production it logs the problem instead, as the WeChat callback's check does.
 */
@Injectable()
export class WxWeComCallbackRouteCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('WxOAuthModule');

  constructor(
    @Inject(WX_OAUTH_OPTIONS) private readonly settings: WxOAuthSettings,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost?.httpAdapter;
    const callbackURL = this.settings.wecom?.callbackURL;
    const routes = this.loginRoutes();
    if (!adapter || !callbackURL || routes.length === 0) return;
    const path = trimmed(callbackPathOf(callbackURL));
    // The route's own path, or its tail behind a global prefix or a proxy's.
    const served = servesGet(adapter, path);
    if (served === undefined || (served && routes.some((route) => path.endsWith(route)))) return;
    const message =
      `No GET route with @WxWeComLoginRoute() serves ${path}, the path of wecom.callbackURL: ` +
      'WeCom brings every login back there, whichever route started it. ' +
      `Put @WxWeComLoginRoute() on a GET route at that path (its routes here: ${routes.join(', ')}), ` +
      "or set wecom.callbackURL to that route's URL.";
    if (isProduction()) this.logger.error(message);
    else throw new Error(message);
  }

  /** The paths of the GET routes marked `@WxWeComLoginRoute()`, on a method or their controller. */
  private loginRoutes(): string[] {
    const isWeCom = (target: object): boolean =>
      (Reflect.getMetadata(WX_LOGIN_ROUTE, target) as WxLoginRoute | undefined)?.strategy ===
      WX_STRATEGIES.wecom;
    return this.discovery.getControllers().flatMap(({ metatype }) => {
      if (typeof metatype !== 'function') return [];
      const proto = metatype.prototype as Record<string, object>;
      const prefixes = pathsOf(metatype);
      return this.scanner.getAllMethodNames(proto).flatMap((name) => {
        const handler = proto[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method !== RequestMethod.GET && method !== RequestMethod.ALL) return [];
        if (!isWeCom(metatype) && !isWeCom(handler)) return [];
        return prefixes.flatMap((prefix) =>
          pathsOf(handler).map((path) => trimmed(`/${prefix}/${path}`)),
        );
      });
    });
  }
}

/** A controller's or handler's paths, as `@Controller()` and `@Get()` hold them. */
function pathsOf(target: object): string[] {
  const path = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return [path ?? ''].flat();
}

/** `path` with single slashes and none at the end, as routers match it. */
function trimmed(path: string): string {
  return path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}
