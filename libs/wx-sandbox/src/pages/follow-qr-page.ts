import { SANDBOX_TAG, colourFor, escapeHtml, initialOf, renderPage } from './page-shell.js';
import { qrCodeSvg } from './qr-code-svg.js';

/** A test user on the scan page, and whether they already follow the account. */
export interface FollowQrPageUser {
  key: string;
  nickname: string;
  following: boolean;
}

export interface FollowQrPageInput {
  appName: string;
  /** The code's URL: shown again as a QR code, for a phone. */
  url: string;
  /** The code's id, posted back with the chosen user. */
  id: string;
  users: readonly FollowQrPageUser[];
  /** Where the form posts: the sandbox's scan route. */
  scanPath: string;
}

/**
 * What the URL of an official account's parametric code opens here: the code itself, and
 * a stand-in for the phone that scans it. Each user is marked a new or an existing
 * follower, since that decides whether WeChat pushes `subscribe` or `SCAN`.
 */
export function followQrPage({ appName, url, id, users, scanPath }: FollowQrPageInput): string {
  const items = users
    .map((user, index) => {
      const key = escapeHtml(user.key);
      const status = user.following
        ? '已关注 · existing follower (SCAN)'
        : '未关注 · new follower (subscribe)';
      return `
          <li><label>
            <input type="radio" name="user" value="${key}" data-user="${key}" data-following="${user.following}"${index === 0 ? ' checked' : ''}>
            <span class="avatar blank" aria-hidden="true" style="background:${colourFor(user.key)}">${escapeHtml(initialOf(user.nickname))}</span>
            <span class="who">
              <span class="nickname">${escapeHtml(user.nickname)}</span>
              <span class="key">${key} · ${status}</span>
            </span>
          </label></li>`;
    })
    .join('');
  return renderPage(
    `关注公众号 - ${appName}`,
    `<main id="follow-qr" class="qr-page">
      <h1>${escapeHtml(appName)}</h1>
      <p class="en">扫码关注公众号 · Scan to follow the official account</p>
      <div class="qr-frame">${qrCodeSvg(url, '公众号二维码 / Official account QR code')}</div>
      <form method="post" action="${escapeHtml(scanPath)}" class="follow-scan">
        <input type="hidden" name="qr" value="${escapeHtml(id)}">
        <p class="pick">选择扫码的测试用户 · Choose who scans</p>
        <ul class="users">${items}
        </ul>
        <div class="actions">
          <button id="scan" type="submit" class="btn primary">扫码 / Scan</button>
        </div>
      </form>
      ${SANDBOX_TAG}
    </main>`,
  );
}
