import type { AuthorizePageError } from '../model/authorize-request.js';
import { SANDBOX_TAG, escapeHtml, renderPage } from './page-shell.js';

/** WeChat answers a bad authorize link with a page, never a redirect. */
export function errorPage(error: AuthorizePageError): string {
  const code = error.errcode === undefined ? '' : ` data-errcode="${error.errcode}"`;
  return renderPage(
    '微信授权错误',
    `<main id="wx-error" class="error-page"${code}>
      <div class="error-icon" aria-hidden="true">!</div>
      <h1>${escapeHtml(error.message)}</h1>
      ${error.errcode === undefined ? '' : `<p class="errcode">错误码：${error.errcode} · Error code ${error.errcode}</p>`}
      <p class="hint">该链接无法访问<br><span class="en">This link cannot be opened</span></p>
      ${SANDBOX_TAG}
    </main>`,
  );
}
