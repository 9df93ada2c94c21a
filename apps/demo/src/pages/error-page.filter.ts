import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { loginPathFor } from '../auth/login-path.js';
import { LoginRequiredException } from '../auth/login-required.exception.js';
import { errorPage, type ErrorView } from './views.js';

/** What the user reads for each failure kind of nest-wx-oauth. */
const TITLES: Record<string, [title: string, reason: string]> = {
  denied: ['Login cancelled', 'You did not allow the login in WeChat.'],
  invalid_state: ['This login link has expired', 'The login took too long, was finished already, or was started in another browser.'],
  invalid_code: ['This login was already used', 'WeChat\'s one-time login code was used or has expired.'],
  invalid_request: ['That link is not valid', 'The login link carried something the app refuses.'],
  timeout: ['WeChat is not answering', 'WeChat did not answer in time. Please try again in a moment.'],
};
const UPSTREAM: [string, string] = ['WeChat had a problem', 'WeChat answered with an error. Please try again in a moment.'];

/**
 * Renders every error as a friendly page with the right status, WeChat's errcode
 * when there is one, and never a stack trace or a secret.
 */
@Catch()
export class ErrorPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorPage');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const retryPath = loginPathFor(req.headers['user-agent']);
    if (exception instanceof LoginRequiredException) {
      return res.redirect(loginPathFor(req.headers['user-agent'], exception.returnTo));
    }
    if (res.headersSent) return;

    const view = toView(exception, retryPath);
    if (view.status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? exception.message : String(exception));
    }
    const wantsHtml = req.accepts(['html', 'json']) === 'html';
    res.status(view.status);
    if (wantsHtml) res.type('html').send(errorPage(view));
    else res.json({ statusCode: view.status, message: view.reason, errcode: view.errcode, errmsg: view.errmsg });
  }
}

function toView(exception: unknown, retryPath: string): ErrorView {
  if (!(exception instanceof HttpException)) {
    return { status: 500, title: 'Something went wrong', reason: 'The demo hit an unexpected error.', retryPath };
  }
  const status = exception.getStatus();
  const body = exception.getResponse() as { kind?: string; errcode?: number; errmsg?: string; message?: string } | string;
  if (typeof body === 'string' || !body.kind) {
    const message = typeof body === 'string' ? body : String(body.message ?? exception.message);
    return { status, title: status === 404 ? 'Page not found' : 'Request failed', reason: message, retryPath };
  }
  const [title, reason] = TITLES[body.kind] ?? UPSTREAM;
  return { status, title, reason, errcode: body.errcode, errmsg: body.errmsg, retryPath };
}
