import type { ServerResponse } from 'node:http';
import {
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AuthGuard, AuthModuleOptions, type IAuthGuard } from '@nestjs/passport';
import { WxOAuthError, type WxOAuthErrorKind } from '../client/wx-oauth.error.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import {
  callbackPathOf,
  isCallbackRoute,
  linkResponse,
  type LoginRequest,
  nodeResponse,
  readLoginQuery,
} from '../http/login-request.js';
import { frontendOriginOf, isSafeReturnTo } from '../http/return-to.js';
import type { WxScope } from '../client/wx-oauth.types.js';
import type { WxWeComScope } from '../client/wx-wecom.types.js';
import type { WxAuthenticateOptions } from '../logins/oauth/wx-oauth.strategy.js';
import type { WxWeComLoginRouteOptions } from '../logins/wecom/wx-wecom-login-route.decorator.js';
import type { WxOAuthSettings } from '../options/wx-oauth.options.js';
import type { WxAuthInfo } from '../state/wx-auth-info.interface.js';
import { WxHandoff } from '../state/wx-handoff.js';
import { WxStateStore } from '../state/wx-state.store.js';
import {
  WX_LOGIN_ROUTE,
  WX_OAUTH_OPTIONS,
  WX_STRATEGIES,
  type WxLoginRoute,
} from '../wx-oauth.constants.js';
import { WxAuthScope } from '../logins/oauth/wx-auth-scope.decorator.js';

/**
 * The one guard of every WeChat login: it runs the strategy of the route's
 * login kind, `'wechat'` (WeChat's OAuth2) unless the route says otherwise
 * (`@WxFollowLoginRoute()`, `@WxMiniProgramLoginRoute()`, `@WxAppLoginRoute()`,
 * `@WxWeComLoginRoute()`). On an OAuth2 login
 * route it redirects to WeChat; on the callback route (and a follow login's)
 * it puts the app's user on `req.user` (and the state on
 * `req.authInfo.state`, a `WxAuthInfo`), and with
 * `PassportModule.register({ session: true })` logs the user into the session.
 * Failures are HTTP errors carrying WeChat's errcode: 401 for the user's or
 * the link's fault, 400 for a bad request, 502 when WeChat fails, 504 when it
 * does not answer, 503 when the store does. With `successRedirect` /
 * `failureRedirect` (the module's, or a subclass's `getAuthenticateOptions`)
 * it answers the callback with a redirect instead, and the route's handler
 * does not run; a login handed to a front end on another origin carries a
 * one-time `wx_handoff` code (see `WxHandoff`). A login started from such a
 * front end (its `returnTo`) goes back there whatever happens: a failure with
 * `wx_error=<kind>`, redirects set or not. A mini-program's or a native
 * app's login only sets `req.user`. Works on Express and Fastify, in any module. Subclass it as
 * any AuthGuard: `getAuthenticateOptions`, `handleRequest`, `getRequest`.
 *
 * @publicApi
 */
@Injectable()
export class WxAuthGuard extends AuthGuard() implements OnApplicationBootstrap {
  // Injected as properties, as AuthGuard's own options are: a subclass with a constructor of its own passes nothing to super().
  @Inject(Reflector) protected readonly reflector!: Reflector;
  @Inject(ModuleRef) private readonly moduleRef!: ModuleRef;
  /** `PassportModule.register(...)`'s options, which AuthGuard also injects, untyped. */
  @Optional() @Inject(AuthModuleOptions) private readonly passportOptions?: AuthModuleOptions;
  private readonly logger = new Logger(WxAuthGuard.name);
  /** The registration's parts, found wherever it is: the guard may be built in any module, whatever `isGlobal`. */
  private parts?: ModuleParts;
  private readonly views = new Map<string, IAuthGuard>();

  constructor() {
    // The strategy is the route's, chosen per request (canActivate); this one keeps AuthGuard from asking for a default.
    super({ defaultStrategy: WX_STRATEGIES.oauth });
  }

  onApplicationBootstrap(): void {
    this.module();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routeOf(context);
    const guard = this.viewFor(route.strategy);
    const authenticate = () => super.canActivate.call(guard, context) as Promise<boolean>;
    // A JSON API (a mini-program keeps no cookies): the handler answers, with no session or redirect.
    if (route.api) return authenticate();
    const request = this.getRequest(context);
    const options = await this.getAuthenticateOptions(context);
    // Checked before the browser goes to WeChat: after it, the code would be spent for nothing.
    if (this.passportOptions?.session && !hasSession(request)) {
      throw new Error(
        'PassportModule.register({ session: true }) needs session middleware before the login routes: ' +
          'app.use(session({ ... })) from express-session, or @fastify/secure-session on Fastify',
      );
    }
    const response = this.getResponse(context);
    linkResponse(request, response);
    const redirects = this.redirectsOf(options);
    try {
      await authenticate();
    } catch (error) {
      const kind = kindOf(error);
      // A mistake in the login's start (a bad returnTo, the development host check) is the developer's to read: 400, not a redirect.
      if (!kind || !this.isCallback(request, route, options)) throw error;
      const target = this.failureTarget(request, response, route, options, kind, redirects.failure);
      if (!target) throw error;
      return redirect(response, locationOf(target, { wx_error: kind }));
    }
    // AuthGuard leaves the session to subclasses; a login route that does not establish it is a silent failure.
    if (this.passportOptions?.session) await this.logIn(request);
    const target = this.successTarget(request, redirects.success);
    if (!target) return true;
    return redirect(response, await this.withHandoff(request, target));
  }

  /**
   * The route's `@WxAuthScope`, and its login decorator's options (`@WxAppLoginRoute({ checkState })`).
   * A subclass that overrides this spreads `super.getAuthenticateOptions(context)` into its own.
   */
  override getAuthenticateOptions(context: ExecutionContext): WxAuthGuardOptions | undefined {
    const scope = this.reflector.getAllAndOverride(WxAuthScope, [
      context.getHandler(),
      context.getClass(),
    ]);
    const { options } = this.routeOf(context);
    if (!scope && !options) return undefined;
    return { ...options, ...(scope ? { scope } : {}) };
  }

  /** Node's response on both adapters: passport writes its redirect there, the strategy its cookies. */
  getResponse(context: ExecutionContext): ServerResponse {
    return nodeResponse(context.switchToHttp().getResponse<object>());
  }

  /** @nestjs/passport's hook, with its signature: what the strategy handed passport in, `req.user` out. */
  /* eslint-disable @typescript-eslint/no-explicit-any -- @nestjs/passport's own signature, so that subclasses may declare it whole */
  override handleRequest<TUser = any>(
    err: any,
    user: any,
    _info: any,
    _context: ExecutionContext,
    _status?: any,
  ): TUser {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    if (err) {
      if (err instanceof HttpException && err.getStatus() >= 500) this.logger.warn(err.message);
      throw err;
    }
    // passport's fail(), from an OAuth2 `error=access_denied` callback or a subclass's own strategy.
    if (!user) throw wxHttpException(new WxOAuthError('denied', 'The login was refused'));
    return user;
  }

  /**
   * This guard as AuthGuard() sees it for `strategy`: AuthGuard() runs
   * `options.defaultStrategy`, so each strategy gets a view of this guard that
   * names it, made once (the options are fixed once Nest has injected them).
   */
  private viewFor(strategy: string): IAuthGuard {
    let view = this.views.get(strategy);
    if (!view) {
      const options = { ...this.passportOptions, defaultStrategy: strategy };
      view = Object.create(this, { options: { value: options } }) as IAuthGuard;
      this.views.set(strategy, view);
    }
    return view;
  }

  /** The route's login kind, as its decorator names it; WeChat's OAuth2 without one. */
  private routeOf(context: ExecutionContext): WxLoginRoute {
    return (
      this.reflector.getAllAndOverride<WxLoginRoute | undefined>(WX_LOGIN_ROUTE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? { strategy: WX_STRATEGIES.oauth }
    );
  }

  /** The module's redirects (checked at start-up), overridden by the guard's own, checked here. */
  private redirectsOf(options: WxAuthGuardOptions | undefined): Redirects {
    const { successRedirect, failureRedirect, frontendOrigins } = this.module().settings;
    for (const name of ['successRedirect', 'failureRedirect'] as const) {
      const target = options?.[name];
      if (target !== undefined && !isSafeReturnTo(target, frontendOrigins))
        throw new Error(
          `WxAuthGuard: ${name} ${JSON.stringify(target)} must be a path on this site or a URL on one of frontendOrigins`,
        );
    }
    return {
      success: options?.successRedirect ?? successRedirect,
      failure: options?.failureRedirect ?? failureRedirect,
    };
  }

  /**
   * Where a logged-in browser goes: the login's own `returnTo` when it is on a
   * front-end origin or `successRedirect` is set (else the route's handler
   * reads it), then `successRedirect`; undefined lets the handler answer.
   */
  private successTarget(request: object, successRedirect?: string): string | undefined {
    const { frontendOrigins } = this.module().settings;
    const returnTo = (request as { authInfo?: Partial<WxAuthInfo> }).authInfo?.state?.returnTo;
    if (returnTo && (successRedirect || frontendOriginOf(returnTo, frontendOrigins)))
      return returnTo;
    return successRedirect;
  }

  /**
   * Where a failed login goes: the front end it started from, as a success
   * would (its `returnTo` on a front-end origin, from its state cookie only when
   * the cookie's signature verifies), then `failureRedirect`; undefined lets
   * the error answer. The failed login's state cookie is expired.
   */
  private failureTarget(
    request: LoginRequest,
    response: ServerResponse,
    route: WxLoginRoute,
    options: WxAuthGuardOptions | undefined,
    kind: WxOAuthErrorKind,
    failureRedirect: string | undefined,
  ): string | undefined {
    // A request refused as such (HEAD from a link previewer, a malformed query) is not the login's end: the login stays.
    if (kind === 'invalid_request') return failureRedirect;
    const { settings, states } = this.module();
    // A follow login's returnTo is its completion route's, as on its success; an OAuth2 login's is in its state cookie.
    const returnTo = route.completes
      ? (options?.returnTo ?? queryReturnTo(request))
      : states.abandon(request, response)?.returnTo;
    const { frontendOrigins } = settings;
    if (isSafeReturnTo(returnTo, frontendOrigins) && frontendOriginOf(returnTo, frontendOrigins))
      return returnTo;
    return failureRedirect;
  }

  private isCallback(
    request: LoginRequest,
    route: WxLoginRoute,
    options: WxAuthGuardOptions | undefined,
  ): boolean {
    if (route.completes) return true;
    if (route.returnsHere) return isReturn(request);
    const callbackURL = options?.callbackURL ?? this.module().settings.callbackURL;
    return callbackURL !== undefined && isCallbackRoute(request, callbackPathOf(callbackURL));
  }

  /**
   * `target`, with a one-time `wx_handoff` code when it is a front end on
   * another origin; with `wx_error` instead when the code cannot be issued
   * (the store fails), so that the front end learns it on its own origin.
   */
  private async withHandoff(request: object, target: string): Promise<string> {
    const { settings, handoff } = this.module();
    const origin = frontendOriginOf(target, settings.frontendOrigins);
    if (!origin) return locationOf(target);
    const { user } = request as { user?: unknown };
    try {
      return locationOf(target, { wx_handoff: await handoff.issue(user, origin) });
    } catch (error) {
      if (!(error instanceof WxOAuthError)) throw error;
      this.logger.warn(error.message);
      return locationOf(target, { wx_error: error.kind });
    }
  }

  private module(): ModuleParts {
    try {
      this.parts ??= {
        settings: this.moduleRef.get<WxOAuthSettings>(WX_OAUTH_OPTIONS, { strict: false }),
        handoff: this.moduleRef.get(WxHandoff, { strict: false }),
        states: this.moduleRef.get(WxStateStore, { strict: false }),
      };
      return this.parts;
    } catch {
      throw new Error(
        'WxAuthGuard needs WxOAuthModule: add WxOAuthModule.forRoot(...) or forRootAsync(...) to the imports of the ' +
          "app's root module (AppModule)",
      );
    }
  }
}

/**
 * What `getAuthenticateOptions` hands the route's strategy: an OAuth2 login's
 * options (`WxAuthenticateOptions`), and a WeCom login's (`scope`
 * `'snsapi_privateinfo'`, `nonMembers`). Each strategy checks the scope it is
 * given: a WeCom scope on a WeChat route is a 400, and the reverse.
 *
 * @publicApi
 */
export interface WxAuthGuardOptions
  extends Omit<WxAuthenticateOptions, 'scope'>, Omit<WxWeComLoginRouteOptions, 'scope'> {
  /** The scope to ask for: WeChat's on an OAuth2 login's route, WeCom's on a `@WxWeComLoginRoute()`. */
  scope?: WxScope | WxWeComScope;
}

/** The registration's parts the guard uses. */
interface ModuleParts {
  settings: WxOAuthSettings;
  handoff: WxHandoff;
  states: WxStateStore;
}

interface Redirects {
  success?: string;
  failure?: string;
}

/** The `returnTo` of a request's query; undefined for a malformed query, which the strategy refused. */
function queryReturnTo(request: LoginRequest): string | undefined {
  try {
    return readLoginQuery(request.query).returnTo;
  } catch {
    return undefined;
  }
}

/** Whether a request to a route that is its own callback brings a login back (a `code` or a `state`). */
function isReturn(request: LoginRequest): boolean {
  try {
    const { code, state } = readLoginQuery(request.query);
    return code !== undefined || state !== undefined;
  } catch {
    return false;
  }
}

/** The kind of a failed login, for the failure redirect; undefined for an error that is not the login's. */
function kindOf(error: unknown): WxOAuthErrorKind | undefined {
  return error instanceof HttpException && error.cause instanceof WxOAuthError
    ? error.cause.kind
    : undefined;
}

const PATH_BASE = 'http://path.invalid';
/** What the guard adds to a redirect: a login's outcome. */
const OUTCOME_PARAMS = ['wx_handoff', 'wx_error'];

/**
 * `target`, a path or an absolute URL, with `params` added to its query, as a
 * Location header takes it (non-ASCII escaped). An outcome the target already
 * carries (a page's URL as an earlier login left it) gives way to this one's.
 */
function locationOf(target: string, params: Record<string, string> = {}): string {
  const url = new URL(target, PATH_BASE);
  for (const name of OUTCOME_PARAMS) if (url.searchParams.has(name)) url.searchParams.delete(name);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url.origin === PATH_BASE ? url.href.slice(PATH_BASE.length) : url.href;
}

/**
 * Answers with a redirect, as passport's own `redirect` does, and leaves the
 * guard pending as @nestjs/passport does after it: the response is over, so
 * neither the handler nor an exception filter may write to it.
 */
function redirect(response: ServerResponse, location: string): Promise<boolean> {
  response.statusCode = 302;
  response.setHeader('Location', location);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Length', '0');
  response.end();
  return new Promise(() => {});
}

/** Whether session middleware (express-session, @fastify/secure-session) gave the request a session. */
function hasSession(request: object): boolean {
  const { session, raw } = request as { session?: unknown; raw?: { session?: unknown } };
  return session !== undefined || raw?.session !== undefined;
}
