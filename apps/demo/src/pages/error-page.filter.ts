import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { isWeChatBrowser, WxOAuthError, WxReauthorizationRequiredError } from 'nest-wx-oauth';
import { loginPathFor } from '../auth/login-path.js';
import { APP_LOGIN_PATH, APP_STATE_PATH } from '../auth/app-login.controller.js';
import { MINI_PROGRAM_LOGIN_PATH } from '../auth/mini-program.controller.js';
import { merchantOfPath, merchantPath } from '../merchants/merchant-path.js';
import { LoginRequiredException } from '../auth/login-required.exception.js';
import { WECOM_LOGIN_PATH } from '../auth/wecom-login.controller.js';
import { pageUrl } from './login.controller.js';
import { errorPage, type ErrorView, openInWeChatPage } from './views.js';

/** What the user reads for each failure kind of nest-wx-oauth. */
const TITLES: Record<string, [title: string, reason: string]> = {
  denied: [
    'Login cancelled',
    'You did not allow the login in WeChat, or opened this page as a snapshot: tap 使用完整服务 at the bottom, then log in.',
  ],
  invalid_state: [
    'This login link has expired',
    'The login took too long, was finished already, or was started in another browser.',
  ],
  invalid_code: [
    'This login was already used',
    "WeChat's one-time login code was used or has expired.",
  ],
  invalid_request: ['That link is not valid', 'The login link carried something the app refuses.'],
  flow_unavailable: [
    'Log in on a computer',
    'This site logs in through its WeChat website app: open it in a browser on a computer.',
  ],
  timeout: [
    'WeChat is not answering',
    'WeChat did not answer in time. Please try again in a moment.',
  ],
  store_unavailable: [
    'Temporarily unavailable',
    'The app cannot reach its token store. Please try again in a moment.',
  ],
  refresh_expired: ['Please log in again', 'Your WeChat authorisation has expired.'],
  invalid_session: [
    'Please log in again',
    'The mini-program must call wx.login() and log in again.',
  ],
  user_blocked: ['Login refused', "WeChat's risk control refuses this account."],
  rate_limited: [
    'Too many attempts',
    'Too many unfinished logins. Please try again in a few minutes.',
  ],
  authorizer_revoked: [
    'This shop no longer logs in here',
    "The shop's official account has revoked its authorisation of this platform: its customers cannot log in here until it connects again.",
  ],
  component_unavailable: [
    'The platform is not ready yet',
    'WeChat has not sent this platform its ticket yet, and has been asked for one. Please try again in a minute.',
  ],
  unknown_tenant: ['Shop not found', 'No shop is served at this address.'],
};
const UPSTREAM: [string, string] = [
  'WeChat had a problem',
  'WeChat answered with an error. Please try again in a moment.',
];

/** The WeCom login's failures, in WeCom's words where they differ from WeChat's. */
const WECOM_TITLES: Record<string, [title: string, reason: string]> = {
  ...TITLES,
  not_member: [
    'Not a member of this company',
    "Only members of the company's WeCom (企业微信) can log in here, and the WeCom account you used is not one of them. Ask the company's WeCom administrator to add you, or log in with another account.",
  ],
  denied: ['Login cancelled', 'You did not allow the login in WeCom.'],
  invalid_code: [
    'This login was already used',
    "WeCom's one-time login code was used or has expired.",
  ],
  flow_unavailable: ['WeCom login is not set up', 'This site has no WeCom app to log in with.'],
  app_config: [
    'WeCom refuses this site',
    "WeCom refused this site's WeCom app: its settings in the WeCom admin console (the app's trusted IPs, its trusted domain) need fixing. Please tell the site's administrator.",
  ],
  timeout: [
    'WeCom is not answering',
    'WeCom did not answer in time. Please try again in a moment.',
  ],
};
const WECOM_UPSTREAM: [string, string] = [
  'WeCom had a problem',
  'WeCom answered with an error. Please try again in a moment.',
];

/**
 * Renders every error as a friendly page (JSON under /api) with the right
 * status, WeChat's errcode when there is one, and never a stack trace or a secret.
 */
@Catch()
export class ErrorPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorPage');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    // The WeCom login's failures are WeCom's, and are tried again on its own route; a merchant's
    // page retries at that merchant's login.
    const weCom = req.path === WECOM_LOGIN_PATH;
    const merchant = merchantOfPath(req.path);
    const retryPath = weCom ? WECOM_LOGIN_PATH : merchant ? merchantPath(merchant) : loginPathFor();
    const api = isApiPath(req.path);
    // A page that needs a (new) login sends the browser to log in, and back here afterwards.
    const needsLogin =
      exception instanceof LoginRequiredException ||
      exception instanceof WxReauthorizationRequiredError;
    if (needsLogin && !api) {
      return res.redirect(loginPathFor(req.originalUrl));
    }
    if (res.headersSent) return;

    const view = toView(exception, retryPath, weCom ? WECOM_WORDS : WECHAT_WORDS);
    // A computer asking for the official account's login: the way in is WeChat itself.
    if (
      view.kind === 'flow_unavailable' &&
      !api &&
      !weCom &&
      !isWeChatBrowser(req.headers['user-agent'])
    ) {
      return void res
        .status(view.status)
        .type('html')
        .send(openInWeChatPage(pageUrl(req), undefined));
    }
    if (view.status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? exception.message : String(exception));
    }
    res.status(view.status);
    if (api)
      res.json({
        statusCode: view.status,
        kind: view.kind,
        message: view.detail ?? view.reason,
        errcode: view.errcode,
        errmsg: view.errmsg,
      });
    else res.type('html').send(errorPage(view));
  }
}

/**
 * The clients that are no page read JSON, as the API's callers do: the mini-program,
 * the native app, and the stand-in pages' scripts asking the sandbox for codes.
 */
const API_PATHS: ReadonlySet<string> = new Set([
  MINI_PROGRAM_LOGIN_PATH,
  APP_LOGIN_PATH,
  APP_STATE_PATH,
]);

function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/sandbox/') || API_PATHS.has(path);
}

/** What the filter answers; `detail` is the library's own message, for the API's callers (it names no secret). */
type FilterView = ErrorView & { kind?: string; detail?: string };

/** The words of one service's failures: each kind's, the rest's, and whose errcodes they carry. */
interface Words {
  titles: Record<string, [title: string, reason: string]>;
  upstream: [title: string, reason: string];
  service: NonNullable<ErrorView['service']>;
}
const WECHAT_WORDS: Words = { titles: TITLES, upstream: UPSTREAM, service: 'WeChat' };
const WECOM_WORDS: Words = { titles: WECOM_TITLES, upstream: WECOM_UPSTREAM, service: 'WeCom' };

function toView(exception: unknown, retryPath: string, words: Words): FilterView {
  const { service } = words;
  if (exception instanceof WxOAuthError) {
    // Thrown by the app's own calls (WxTokenService), not by the guard.
    const [title, reason] = words.titles[exception.kind] ?? words.upstream;
    const { status, errcode, errmsg, kind } = exception;
    return { status, title, reason, errcode, errmsg, service, retryPath, kind };
  }
  if (!(exception instanceof HttpException)) {
    return {
      status: 500,
      title: 'Something went wrong',
      reason: 'The demo hit an unexpected error.',
      retryPath,
    };
  }
  const status = exception.getStatus();
  const body = exception.getResponse() as
    { kind?: string; errcode?: number; errmsg?: string; message?: string } | string;
  if (typeof body === 'string' || !body.kind) {
    const message = typeof body === 'string' ? body : String(body.message ?? exception.message);
    return {
      status,
      title: status === 404 ? 'Page not found' : 'Request failed',
      reason: message,
      retryPath,
    };
  }
  const [title, reason] = words.titles[body.kind] ?? words.upstream;
  return {
    status,
    title,
    reason,
    errcode: body.errcode,
    errmsg: body.errmsg,
    service,
    retryPath,
    kind: body.kind,
    detail: body.message,
  };
}
