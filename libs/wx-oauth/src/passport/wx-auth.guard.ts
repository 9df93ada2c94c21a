import {
  HttpException,
  Injectable,
  Logger,
  Optional,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthenticateOptions } from 'passport';
import { WxOAuthError, wxErrorStatus } from '../client/wx-oauth.error.js';
import type { WxScope } from '../client/wx-oauth.types.js';
import { WX_AUTH_SCOPE, WX_OAUTH_STRATEGY } from '../wx-oauth.constants.js';

/**
 * Runs the `'wechat'` strategy: on the login route it redirects to WeChat, on
 * the callback it puts the user on `req.user`. Failures become HTTP errors that
 * carry WeChat's errcode: 401 for the user's or the link's fault, 502 when
 * WeChat fails, 504 when it does not answer.
 *
 * @publicApi
 */
@Injectable()
export class WxAuthGuard extends AuthGuard(WX_OAUTH_STRATEGY) {
  private readonly logger = new Logger(WxAuthGuard.name);

  constructor(@Optional() private readonly reflector?: Reflector) {
    super();
  }

  override getAuthenticateOptions(context: ExecutionContext): AuthenticateOptions | undefined {
    const scope = this.reflector?.getAllAndOverride<WxScope | undefined>(WX_AUTH_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    return scope ? { scope } : undefined;
  }

  override handleRequest<TUser = unknown>(err: unknown, user: TUser, info: unknown): TUser {
    const wxError = asWxOAuthError(err);
    if (wxError) throw this.toHttpException(wxError);
    if (err) throw err;
    if (!user) {
      const message = (info as { message?: string } | undefined)?.message ?? 'The login was refused';
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message, kind: 'denied' });
    }
    return user;
  }

  private toHttpException(error: WxOAuthError): HttpException {
    const status = wxErrorStatus(error.kind);
    if (status >= 500) this.logger.warn(error.message);
    const body = {
      statusCode: status,
      error: ERROR_NAMES[status] ?? 'Error',
      message: error.message,
      kind: error.kind,
      ...(error.errcode !== undefined ? { errcode: error.errcode, errmsg: error.errmsg } : {}),
    };
    return new HttpException(body, status, { cause: error });
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** passport-oauth2 wraps exchange failures in an InternalOAuthError; unwrap them. */
function asWxOAuthError(err: unknown): WxOAuthError | undefined {
  if (err instanceof WxOAuthError) return err;
  const inner = (err as { oauthError?: unknown } | null)?.oauthError;
  return inner instanceof WxOAuthError ? inner : undefined;
}
