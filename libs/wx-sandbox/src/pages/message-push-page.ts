import { SANDBOX_TAG, escapeHtml, renderPage } from './page-shell.js';
import type { WxSandboxMessagePush } from '../wx-sandbox.types.js';

/** 明文模式 (plain: pushes signed, not encrypted) or 安全模式 (safe: encrypted with the key). */
export type MessagePushMode = 'plain' | 'safe';

/** The form's fields as typed, shown again when the console refused them. */
export interface MessagePushForm {
  url: string;
  token: string;
  encodingAesKey: string;
  mode: MessagePushMode;
}

/** What the console says after an action: done, or refused and why. */
export interface MessagePushNotice {
  ok: boolean;
  text: string;
}

export interface MessagePushPageInput {
  /** Every official account of the sandbox, to switch between them. */
  accounts: readonly { appid: string; name: string }[];
  /** The account shown. */
  appid: string;
  /** Its message push now; `undefined` while it has none (停用). */
  settings: WxSandboxMessagePush | undefined;
  /** What was typed, when the console refused it; else the settings fill the form. */
  form?: MessagePushForm;
  notice?: MessagePushNotice;
  /** Where the forms post: this page. */
  path: string;
}

/**
 * The official account console's 服务器配置 (设置与开发 → 基本配置): the message push's
 * URL, Token, EncodingAESKey and mode, and the form that changes them. Saving runs WeChat's
 * URL check first, as the console does; a setting the check fails is not saved.
 */
export function messagePushPage(input: MessagePushPageInput): string {
  const { accounts, appid, settings, notice, path } = input;
  const account = accounts.find((candidate) => candidate.appid === appid);
  const form = input.form ?? formOf(settings);
  const action = escapeHtml(path);
  const switcher =
    accounts.length < 2
      ? ''
      : `<ul class="accounts">${accounts
          .map(
            (other) =>
              `<li><a href="${action}?appid=${encodeURIComponent(other.appid)}"${other.appid === appid ? ' aria-current="page"' : ''}>${escapeHtml(other.name)} · ${escapeHtml(other.appid)}</a></li>`,
          )
          .join('')}</ul>`;
  return renderPage(
    `服务器配置 - ${account?.name ?? appid}`,
    `<main id="message-push" class="console" data-appid="${escapeHtml(appid)}" data-enabled="${settings !== undefined}">
      <h1>服务器配置</h1>
      <p class="en">Message push of ${escapeHtml(account?.name ?? '')} · ${escapeHtml(appid)}</p>
      ${switcher}
      ${notice === undefined ? '' : `<p id="notice" class="notice ${notice.ok ? 'ok' : 'refused'}" role="status">${escapeHtml(notice.text)}</p>`}
      <p id="status" class="status">${
        settings === undefined
          ? '未启用 · Not set: a scan pushes nothing, and the follow login stays pending'
          : `已启用 · Pushing to ${escapeHtml(settings.url)}, ${settings.encodingAesKey === undefined ? '明文模式 · plain mode' : '安全模式 · safe mode'}`
      }</p>
      <form method="post" action="${action}" autocomplete="off">
        <input type="hidden" name="appid" value="${escapeHtml(appid)}">
        <label>服务器地址(URL) · your app's message endpoint
          <input name="url" type="url" value="${escapeHtml(form.url)}" placeholder="http://localhost:3000/wechat/events" required></label>
        <label>令牌(Token) · WX_MP_TOKEN, 3 to 32 letters and digits
          <input name="token" value="${escapeHtml(form.token)}" required></label>
        <label>消息加解密密钥(EncodingAESKey) · WX_MP_AES_KEY, 43 letters and digits (blank: a new one)
          <input name="encodingAesKey" value="${escapeHtml(form.encodingAesKey)}"></label>
        <fieldset><legend>消息加解密方式 · Mode</legend>
          <label class="choice"><input type="radio" name="mode" value="safe"${form.mode === 'safe' ? ' checked' : ''}> 安全模式 · safe (encrypted)</label>
          <label class="choice"><input type="radio" name="mode" value="plain"${form.mode === 'plain' ? ' checked' : ''}> 明文模式 · plain</label>
        </fieldset>
        <div class="actions">
          <button id="save" type="submit" name="action" value="save" class="btn primary" data-en="Check the URL, then save">提交</button>
          ${
            settings === undefined
              ? ''
              : `<button id="check" type="submit" name="action" value="check" class="btn" formnovalidate data-en="Check the URL">验证</button>
          <button id="disable" type="submit" name="action" value="disable" class="btn" formnovalidate data-en="Disable">停用</button>`
          }
        </div>
      </form>
      ${SANDBOX_TAG}
    </main>`,
  );
}

/** The form filled with the settings, safe mode for an account that has none yet. */
function formOf(settings: WxSandboxMessagePush | undefined): MessagePushForm {
  return {
    url: settings?.url ?? '',
    token: settings?.token ?? '',
    encodingAesKey: settings?.encodingAesKey ?? '',
    mode: settings !== undefined && settings.encodingAesKey === undefined ? 'plain' : 'safe',
  };
}
