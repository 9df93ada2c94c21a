import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Injectable,
  Logger,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxScope } from '../client/wx-oauth.types.js';
import { assertLoginMethod, readLoginQuery } from '../state/login-query.js';
import { WxAuthScope } from '../wx-oauth.decorators.js';
import { wxHttpException } from './wx-http-exception.js';
import { WxLogin, type WxLoginQuery } from './wx-login.js';

type LoginRequest = Pick<IncomingMessage, 'headers' | 'method'> & { query?: WxLoginQuery; user?: unknown; authInfo?: unknown };

/**
 * Guards the login routes: on the login route it redirects to WeChat, on the
 * callback it puts the user on `req.user` (and the state's `returnTo` on
 * `req.authInfo.state`). Failures become HTTP errors that carry WeChat's
 * errcode: 401 for the user's or the link's fault, 502 when WeChat fails, 504
 * when it does not answer.
 *
 * It runs `WxLogin` directly rather than through passport, which costs a fifth
 * of a login's time and adds nothing here, and so works on the Express and the
 * Fastify adapter alike; `WxStrategy` runs the same login for apps that use
 * passport themselves.
 *
 * @publicApi
 */
@Injectable()
export class WxAuthGuard implements CanActivate {
  private readonly logger = new Logger(WxAuthGuard.name);

  constructor(
    private readonly login: WxLogin,
    @Optional() private readonly reflector?: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<LoginRequest>();
    // Express's response is node's; Fastify's reply wraps it as `raw`.
    const reply = http.getResponse<ServerResponse & { raw?: ServerResponse }>();
    const res = reply.raw ?? reply;
    try {
      assertLoginMethod(req.method);
      // Read once: Express 5 parses the query string again on every access.
      const query = readLoginQuery(req.query);
      if (!this.login.isCallback(query)) {
        redirect(res, this.login.start(query, req, res, this.scopeOf(context)));
        // Answered: as with passport's redirect, the route handler never runs.
        return new Promise<boolean>(() => undefined);
      }
      const { user, info } = await this.login.finish(query, req, res);
      if (!user) throw new WxOAuthError('denied', 'The login was refused');
      req.user = user;
      req.authInfo = info;
      return true;
    } catch (error) {
      const httpError = wxHttpException(error);
      if (!httpError) throw error;
      if (httpError.getStatus() >= 500) this.logger.warn(httpError.message);
      throw httpError;
    }
  }

  private scopeOf(context: ExecutionContext): WxScope | undefined {
    return this.reflector?.getAllAndOverride(WxAuthScope, [context.getHandler(), context.getClass()]);
  }
}

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 302;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', '0');
  res.end();
}
