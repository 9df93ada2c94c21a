import { SANDBOX_TAG, escapeHtml, renderPage } from './page-shell.js';
import type { WxSandboxPushResult } from '../wx-sandbox.types.js';

export interface ScanResultPageInput {
  appName: string;
  userKey: string;
  result: WxSandboxPushResult;
  /** The console page where the account's message push is set. */
  consoleUrl: string;
}

/** After a scan: the event WeChat pushed, each attempt, and whether (and how) the app answered. */
export function scanResultPage({
  appName,
  userKey,
  result,
  consoleUrl,
}: ScanResultPageInput): string {
  const attempts = result.attempts
    .map(
      (attempt, index) =>
        `<li>#${index + 1}: ${escapeHtml(String(attempt.status))} (${attempt.ms} ms)</li>`,
    )
    .join('');
  const outcome =
    result.attempts.length === 0
      ? '公众号未配置服务器地址 · The account has no message push URL'
      : !result.answered
        ? '公众号未应答 · The app did not answer'
        : result.replyValid
          ? '公众号已应答 · The app answered'
          : '公众号应答无效 · The app answered with something WeChat rejects';
  const reply = result.reply?.content ?? result.reply?.msgType;
  return renderPage(
    `扫码结果 - ${appName}`,
    `<main id="scan-result" class="qr-page" data-event="${result.event}" data-answered="${result.answered}">
      <h1>${escapeHtml(appName)}</h1>
      <p class="en">${escapeHtml(userKey)} · ${result.event === 'subscribe' ? '关注 · followed (subscribe)' : '已关注，扫码 · already following (SCAN)'}</p>
      <div class="qr-status">
        <p id="outcome">${outcome}</p>
        ${reply === undefined ? '' : `<p id="reply" class="app-name">“${escapeHtml(reply)}”</p>`}
        ${result.attempts.length === 0 ? `<p class="en"><a id="set-push" href="${escapeHtml(consoleUrl)}">设置服务器配置 · Set the message push</a></p>` : ''}
      </div>
      <ol id="attempts" class="en attempts">${attempts}</ol>
      ${SANDBOX_TAG}
    </main>`,
  );
}
