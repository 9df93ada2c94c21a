import {
  appLookup,
  appNameOf,
  approvedUrl,
  findUser,
  scanUrl,
  type AuthorizeContext,
} from './authorize-handler.js';
import { checkAuthorizeQuery } from '../model/authorize-request.js';
import { errorPage } from '../pages/error-page.js';
import { htmlPage, redirectTo, type SandboxResponse } from './sandbox-response.js';
import { wxLoginFramePage, type WxLoginFrameLook } from '../pages/wx-login-frame-page.js';

/**
 * `/connect/qrconnect?…&login_type=jssdk`: the iframe that wxLogin.js puts into the
 * site's page. The same checks as the full page (a website app and `snsapi_login` only),
 * then a compact QR code whose approval lands on `redirect_uri?code=…&state=…` in the
 * iframe (`self_redirect=true`) or in the top window (otherwise), as WeChat does.
 */
export function handleWxLoginFrame(
  query: URLSearchParams,
  context: AuthorizeContext,
): SandboxResponse {
  const check = checkAuthorizeQuery('qrconnect', query, appLookup(context), { jssdk: true });
  if (!check.ok) return htmlPage(400, errorPage(check.error), check.error.errcode);
  const { request } = check;
  const selfRedirect = query.get('self_redirect') === 'true';
  const approver =
    context.autoApprove === false
      ? undefined
      : findUser(context, request.appid, context.autoApprove);
  if (approver) {
    const callback = approvedUrl(
      request,
      context.grants.issueCode(request.appid, approver, request.scope),
    );
    // In the iframe a redirect is the iframe's; only the page itself can move the top window.
    if (selfRedirect) return redirectTo(callback);
    return htmlPage(200, wxLoginFramePage({ kind: 'approved', callback }));
  }
  return htmlPage(
    200,
    wxLoginFramePage({
      kind: 'qr',
      appName: appNameOf(context, request.appid),
      request,
      scanUrl: scanUrl(context.publicUrl, request),
      users: context.apps.usersOf(request.appid),
      selfRedirect,
      look: lookOf(query),
    }),
  );
}

/** `style`, and `href` unless `stylelite=1` asks for the new look, which ignores it. */
function lookOf(query: URLSearchParams): WxLoginFrameLook {
  const lite = query.get('stylelite') === '1';
  return {
    style: query.get('style') === 'white' ? 'white' : 'black',
    lite,
    href: lite ? undefined : stylesheetHref(query.get('href')),
  };
}

/**
 * Sites pass `href` unencoded, often a `data:text/css;base64,…` URL whose `+` a query
 * parser reads as a space: put them back. Only http(s) and CSS data URLs are used.
 */
function stylesheetHref(href: string | null): string | undefined {
  if (!href) return undefined;
  if (/^data:text\/css/i.test(href)) return href.replace(/ /g, '+');
  return /^https?:\/\//i.test(href) ? href : undefined;
}
