import type { WxSandboxComponentInfo } from '../model/sandbox-components.js';
import type { WxSandboxComponentEvent } from '../wx-sandbox.types.js';
import { SANDBOX_TAG, escapeHtml, renderPage } from './page-shell.js';

/** What the console says after an action. */
export interface ComponentConsoleNotice {
  ok: boolean;
  text: string;
}

export interface ComponentConsolePageInput {
  components: readonly WxSandboxComponentInfo[];
  component: WxSandboxComponentInfo;
  /** The merchants' accounts authorised to it, with their names. */
  authorizers: ReadonlyArray<{ appid: string; name: string; funcInfo: readonly number[] }>;
  /** Its latest pushes, newest first. */
  events: readonly WxSandboxComponentEvent[];
  notice?: ComponentConsoleNotice;
  path: string;
}

/**
 * The platform's console on the sandbox: push a ticket now, see what was pushed and how the
 * platform answered, and revoke a merchant's authorisation as the merchant would. Never
 * shows the secret, Token, key or a ticket.
 */
export function componentConsolePage(input: ComponentConsolePageInput): string {
  const { component, path } = input;
  const appid = escapeHtml(component.appid);
  const others = input.components
    .map(
      ({ appid: other }) =>
        `<li><a href="${path}?component_appid=${encodeURIComponent(other)}"${other === component.appid ? ' aria-current="page"' : ''}>${escapeHtml(other)}</a></li>`,
    )
    .join('');
  const notice = input.notice
    ? `<p id="notice" class="notice ${input.notice.ok ? 'ok' : 'refused'}">${escapeHtml(input.notice.text)}</p>`
    : '';
  const authorizers =
    input.authorizers.length === 0
      ? '<p id="no-authorizer" class="status">没有已授权的帐号 · No account is authorised yet</p>'
      : `<ul id="authorizers" class="accounts">${input.authorizers
          .map(
            (authorizer) => `
        <li><form method="post" action="${path}">
          <input type="hidden" name="component_appid" value="${appid}">
          <input type="hidden" name="authorizer" value="${escapeHtml(authorizer.appid)}">
          ${escapeHtml(authorizer.name)} (${escapeHtml(authorizer.appid)}), func_info ${escapeHtml(authorizer.funcInfo.join(', '))}
          <button id="revoke-${escapeHtml(authorizer.appid)}" type="submit" name="action" value="revoke" class="btn">取消授权 · Revoke</button>
        </form></li>`,
          )
          .join('')}
      </ul>`;
  const events =
    input.events.length === 0
      ? '<p class="status">尚无推送 · Nothing pushed yet</p>'
      : `<ul id="events" class="accounts">${input.events
          .map(
            (event) =>
              `<li>${escapeHtml(event.infoType)}${event.authorizerAppid === undefined ? '' : ` ${escapeHtml(event.authorizerAppid)}`} · ${
                event.attempts.length === 0
                  ? 'not pushed (no event URL)'
                  : `${event.attempts.map((attempt) => attempt.status).join(', ')}${event.replyValid ? ' · success' : ' · not acknowledged'}`
              }</li>`,
          )
          .join('')}</ul>`;
  return renderPage(
    `第三方平台 - ${component.name}`,
    `<main class="console" id="component-console">
      <h1>第三方平台 · Third-party platform</h1>
      <ul class="accounts">${others}</ul>
      ${notice}
      <p class="status">component_appid: <code id="component-appid">${appid}</code></p>
      <p class="status">授权事件接收URL · Event URL: <span id="event-url">${
        component.eventUrl === undefined ? '未设置 · not set' : escapeHtml(component.eventUrl)
      }</span></p>
      <form method="post" action="${path}">
        <input type="hidden" name="component_appid" value="${appid}">
        <div class="actions">
          <button id="push-ticket" type="submit" name="action" value="push-ticket" class="btn primary">推送 ticket · Push a ticket now</button>
        </div>
      </form>
      <h2 class="pick">已授权的帐号 · Authorised accounts</h2>
      ${authorizers}
      <h2 class="pick">最近的推送 · Latest pushes</h2>
      ${events}
      ${SANDBOX_TAG}
    </main>`,
  );
}
