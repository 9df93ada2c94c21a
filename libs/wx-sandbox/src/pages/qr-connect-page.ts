import { SANDBOX_TAG, escapeHtml, renderPage } from './page-shell.js';
import { qrCodeSvg } from './qr-code-svg.js';

export interface QrConnectPageInput {
  appName: string;
  /** Absolute URL of the sandbox scan page for this authorisation: the QR code's content. */
  scanUrl: string;
}

/**
 * WeChat's website login page (`/connect/qrconnect`): a QR code for the phone to scan.
 * Without a phone, `a#simulate-scan` opens in this browser what the phone would show.
 */
export function qrConnectPage({ appName, scanUrl }: QrConnectPageInput): string {
  return renderPage(
    `微信登录 - ${appName}`,
    `<main id="qrconnect" class="qr-page">
      <h1>微信登录</h1>
      <p class="en">Log in with WeChat</p>
      <div class="qr-frame">${qrCodeSvg(scanUrl, '登录二维码 / Login QR code')}</div>
      <div class="qr-status">
        <p>使用微信扫一扫登录</p>
        <p class="app-name">“${escapeHtml(appName)}”</p>
        <p class="en">Scan with WeChat to log in to ${escapeHtml(appName)}</p>
      </div>
      <div class="actions">
        <a id="simulate-scan" class="btn" href="${escapeHtml(scanUrl)}">模拟扫码 / Simulate scan</a>
        <p class="en">没有手机？在本浏览器打开扫码后的确认页<br>No phone? Open the page a phone shows after scanning</p>
      </div>
      ${SANDBOX_TAG}
    </main>`,
  );
}
