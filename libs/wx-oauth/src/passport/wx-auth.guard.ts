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
import { AuthGuard, AuthModuleOptions } from '@nestjs/passport';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { linkResponse, nodeResponse } from '../login/login-request.js';
import { WxLogin } from '../login/wx-login.js';
import { WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import { WxAuthScope } from '../wx-oauth.decorators.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import type { WxAuthenticateOptions } from './wx-oauth2.strategy.js';

/**
 * `AuthGuard('wechat')` with WeChat's defaults. On the login route it redirects
 * to WeChat; on the callback route it puts the user on `req.user` (and the
 * state on `req.authInfo.state`, a `WxAuthInfo`), and with
 * `PassportModule.register({ session: true })` logs the user into the session.
 * Failures are HTTP errors carrying WeChat's errcode: 401 for the user's or
 * the link's fault, 400 for a bad request, 502 when WeChat fails, 504 when it
 * does not answer, 503 when the store does. Works on Express and Fastify, in
 * any module once `WxOAuthModule` is registered. Subclass it as any AuthGuard:
 * `getAuthenticateOptions`, `handleRequest`, `getRequest`.
 *
 * @publicApi
 */
@Injectable()
export class WxAuthGuard extends AuthGuard(WX_OAUTH_STRATEGY) implements OnApplicationBootstrap {
  // Injected as properties, as AuthGuard's own options are: a subclass with a constructor of its own passes nothing to super().
  @Inject(Reflector) protected readonly reflector!: Reflector;
  @Inject(ModuleRef) private readonly moduleRef!: ModuleRef;
  /** `PassportModule.register(...)`'s options, which AuthGuard also injects, untyped. */
  @Optional() @Inject(AuthModuleOptions) private readonly passportOptions?: AuthModuleOptions;
  private readonly logger = new Logger(WxAuthGuard.name);

  onApplicationBootstrap(): void {
    // Guards can be built in any module, but the strategy exists only where the module is registered.
    try {
      this.moduleRef.get(WxLogin, { strict: false });
    } catch {
      throw new Error(
        'WxAuthGuard needs WxOAuthModule: add WxOAuthModule.forRoot(...) or forRootAsync(...) to the app',
      );
    }
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = this.getRequest(context);
    // Checked before the browser goes to WeChat: after it, the code would be spent for nothing.
    if (this.passportOptions?.session && !hasSession(request)) {
      throw new Error(
        'PassportModule.register({ session: true }) needs session middleware before the login routes: ' +
          'app.use(session({ ... })) from express-session, or @fastify/secure-session on Fastify',
      );
    }
    linkResponse(request, this.getResponse(context));
    await super.canActivate(context);
    // AuthGuard leaves the session to subclasses; a login route that does not establish it is a silent failure.
    if (this.passportOptions?.session) await this.logIn(request);
    return true;
  }

  /** The route's `@WxAuthScope`, if any. */
  override getAuthenticateOptions(context: ExecutionContext): WxAuthenticateOptions | undefined {
    const scope = this.reflector.getAllAndOverride(WxAuthScope, [
      context.getHandler(),
      context.getClass(),
    ]);
    return scope ? { scope } : undefined;
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
}

/** Whether session middleware (express-session, @fastify/secure-session) gave the request a session. */
function hasSession(request: object): boolean {
  const { session, raw } = request as { session?: unknown; raw?: { session?: unknown } };
  return session !== undefined || raw?.session !== undefined;
}
