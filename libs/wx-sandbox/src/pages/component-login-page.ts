import { describeKind, type WxSandboxAppInfo } from '../model/sandbox-apps.js';
import { SANDBOX_TAG, colourFor, escapeHtml, initialOf, renderPage } from './page-shell.js';

export interface ComponentLoginPageInput {
  /** The platform asking, as its registration names it. */
  componentName: string;
  /** The accounts the merchant may authorise here. */
  accounts: readonly WxSandboxAppInfo[];
  /** The link's parameters, carried on to the confirmation as hidden fields. */
  params: ReadonlyArray<readonly [string, string]>;
}

/**
 * WeChat's authorisation page for a merchant (公众号/小程序授权给第三方平台): pick one of the
 * accounts, confirm. The form GETs the sandbox's `/sandbox/component/decide`, so the sandbox
 * never parses a body.
 */
export function componentLoginPage({
  componentName,
  accounts,
  params,
}: ComponentLoginPageInput): string {
  const hidden = params
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n        ');
  const body =
    accounts.length === 0
      ? `<p id="no-account" class="pick">没有可授权的帐号 · No account to authorise</p>`
      : `<form method="get" action="${COMPONENT_DECIDE_PATH}">
        ${hidden}
        <p class="pick">选择要授权的帐号 · Choose the account to authorise</p>
        <ul class="users">${accounts.map(accountItem).join('')}
        </ul>
        <div class="actions">
          <button id="confirm" type="submit" class="btn primary" data-en="Authorise">授权</button>
        </div>
      </form>`;
  return renderPage(
    `授权给第三方平台 - ${componentName}`,
    `<main id="component-login">
      <header class="app">
        <div class="app-logo" style="background:${colourFor(componentName)}" aria-hidden="true">${escapeHtml(initialOf(componentName))}</div>
        <h1 id="component-name">${escapeHtml(componentName)}</h1>
        <p class="brand">授权给第三方平台 · Authorise a third-party platform</p>
      </header>
      <section class="ask">
        <h2>第三方平台将代你管理帐号并发起网页授权</h2>
        <p class="en">The platform will act for your account, logging your users in</p>
      </section>
      ${body}
      ${SANDBOX_TAG}
    </main>`,
  );
}

/** Where the page's form goes: the sandbox's own path, not WeChat's. */
export const COMPONENT_DECIDE_PATH = '/sandbox/component/decide';

function accountItem(app: WxSandboxAppInfo, index: number): string {
  const appid = escapeHtml(app.appid);
  return `
          <li><label>
            <input type="radio" name="authorizer" value="${appid}" id="account-${appid}"${index === 0 ? ' checked' : ''}>
            <span class="avatar blank" style="background:${colourFor(app.name)}" aria-hidden="true">${escapeHtml(initialOf(app.name))}</span>
            <span class="who">
              <span class="nickname">${escapeHtml(app.name)}</span>
              <span class="key">${appid} · ${escapeHtml(describeKind(app.kind))}</span>
            </span>
          </label></li>`;
}
