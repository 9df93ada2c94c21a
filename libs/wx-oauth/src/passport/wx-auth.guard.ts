import type { ServerResponse } from 'node:http';
import {
  HttpException,
  Injectable,
  Logger,
  UnauthorizedException,
  type ExecutionContext,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type IAuthModuleOptions } from '@nestjs/passport';
import passport from 'passport';
import { WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';
import { WxAuthScope } from '../wx-oauth.decorators.js';
import { bindLoginResponse } from './login-response.js';
import { wxHttpException } from './wx-http-exception.js';
import type { WxAuthenticateOptions } from './wx.strategy.js';

/**
 * `AuthGuard('wechat')` with WeChat's defaults. On the login route it redirects
 * to WeChat; on the callback route it puts the user on `req.user` (and the
 * state's `returnTo` on `req.authInfo.state`), and with
 * `PassportModule.register({ session: true })` logs the user into the session.
 * Failures become HTTP errors carrying WeChat's errcode: 401 for the user's or
 * the link's fault, 400 for a bad `returnTo`, 502 when WeChat fails, 504 when it
 * does not answer, 503 when the token store does. Works on Express and Fastify,
 * in any module once `WxOAuthModule` is registered. Subclass it as any
 * AuthGuard: `getAuthenticateOptions`, `handleRequest`, `getRequest`.
 *
 * @publicApi
 */
@Injectable()
export class WxAuthGuard extends AuthGuard(WX_OAUTH_STRATEGY) implements OnApplicationBootstrap {
  private readonly logger = new Logger(WxAuthGuard.name);
  // Stateless, so made here: a subclass with a constructor of its own passes nothing to super().
  private readonly reflector = new Reflector();

  onApplicationBootstrap(): void {
    // Guards can be built in any module, but the strategy exists only where the module is registered.
    if (!(passport as unknown as { _strategy(name: string): unknown })._strategy(WX_OAUTH_STRATEGY)) {
      throw new Error('WxAuthGuard needs WxOAuthModule: add WxOAuthModule.forRoot(...) or forRootAsync(...) to the app');
    }
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = this.getRequest(context);
    bindLoginResponse(request, this.getResponse(context));
    await super.canActivate(context);
    // AuthGuard leaves the session to subclasses; a login route that does not establish it is a silent failure.
    if (this.passportOptions?.session) await this.logIn(request);
    return true;
  }

  /** The route's `@WxAuthScope`, if any. */
  override getAuthenticateOptions(context: ExecutionContext): WxAuthenticateOptions | undefined {
    const scope = this.reflector.getAllAndOverride(WxAuthScope, [context.getHandler(), context.getClass()]);
    return scope ? { scope } : undefined;
  }

  /** Node's response on both adapters: Fastify's reply wraps it as `raw`, and passport writes its redirect there. */
  getResponse(context: ExecutionContext): ServerResponse {
    const reply = context.switchToHttp().getResponse<ServerResponse & { raw?: ServerResponse }>();
    return reply.raw ?? reply;
  }

  /** `PassportModule.register(...)`'s options, which AuthGuard injects as `options`. */
  private get passportOptions(): IAuthModuleOptions | undefined {
    return (this as unknown as { options?: IAuthModuleOptions }).options;
  }

  override handleRequest<TUser = unknown>(err: unknown, user: TUser): TUser {
    if (err) {
      const httpError = err instanceof HttpException ? err : wxHttpException(err);
      if (!httpError) throw err;
      if (httpError.getStatus() >= 500) this.logger.warn(httpError.message);
      throw httpError;
    }
    if (!user) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'The login was refused', kind: 'denied' });
    return user;
  }
}
