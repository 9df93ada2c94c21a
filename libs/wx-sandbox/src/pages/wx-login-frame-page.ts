import { authorizeParams, type AuthorizeRequest } from '../model/authorize-request.js';
import { escapeHtml } from './page-shell.js';
import { qrCodeSvg } from './qr-code-svg.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';

/** How the site asked the QR code to look. */
export interface WxLoginFrameLook {
  /** `'white'` for white text on a dark page. */
  style: 'black' | 'white';
  /** `stylelite=1`: WeChat's newer, smaller layout. */
  lite: boolean;
  /** The site's own stylesheet (`href`), laid over the default look. */
  href: string | undefined;
}

export type WxLoginFramePageInput =
  | {
      kind: 'qr';
      appName: string;
      request: AuthorizeRequest;
      /** What the QR code holds: the page a phone opens after scanning. */
      scanUrl: string;
      users: readonly WxSandboxUser[];
      /** Approve in the iframe (`true`) or in the top window. */
      selfRedirect: boolean;
      look: WxLoginFrameLook;
    }
  /** Auto-approved with `self_redirect` off: the top window goes to the callback. */
  | { kind: 'approved'; callback: string };

/**
 * The page inside the wxLogin.js iframe (300×400, no scrolling). WeChat's class names
 * (`impowerBox`, `title`, `qrcode`, `info`, `status`) are kept so a site's `href` CSS
 * applies as it would on WeChat. The "simulate scan" form approves as the chosen test
 * user; its `target` decides which window follows the redirect to the callback.
 */
export function wxLoginFramePage(input: WxLoginFramePageInput): string {
  if (input.kind === 'approved') {
    const callback = escapeHtml(input.callback);
    return framePage(
      '微信登录',
      '',
      `<div class="impowerBox" id="wx-login-frame" data-callback="${callback}">
      <p class="status">登录成功 · Logged in</p>
      <a id="continue" class="btn" href="${callback}" target="_top">继续 / Continue</a>
    </div>
    <script>window.top.location.href = ${scriptString(input.callback)};</script>`,
      'black',
    );
  }
  const { appName, request, scanUrl, users, selfRedirect, look } = input;
  const hidden = [...authorizeParams(request), ['decision', 'approve']]
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n        ');
  const options = users
    .map(
      (user) =>
        `<option value="${escapeHtml(user.key)}">${escapeHtml(user.nickname)} (${escapeHtml(user.key)})</option>`,
    )
    .join('');
  const stylesheet = look.href ? `<link rel="stylesheet" href="${escapeHtml(look.href)}">` : '';
  return framePage(
    `微信登录 - ${appName}`,
    stylesheet,
    `<div class="impowerBox${look.lite ? ' lite' : ''}" id="wx-login-frame" data-self-redirect="${selfRedirect}">
      <div class="title">微信登录</div>
      <div class="qrcode lightBorder">${qrCodeSvg(scanUrl, '登录二维码 / Login QR code')}</div>
      <div class="info">
        <div class="status">使用微信扫一扫登录<br>“${escapeHtml(appName)}”</div>
      </div>
      <form class="simulate" method="get" action="/connect/sandbox/decide" target="${selfRedirect ? '_self' : '_top'}">
        ${hidden}
        <select id="sandbox-user" name="user" aria-label="测试用户 / Test user">${options}</select>
        <button id="simulate-scan" type="submit">模拟扫码 / Simulate scan</button>
      </form>
      <p class="sandbox-tag">WxSandbox 测试环境 · not the real WeChat</p>
    </div>`,
    look.style,
  );
}

/** A string literal safe inside an inline script. */
function scriptString(value: string): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Sized for the 300×400 iframe, in the colours of the other sandbox pages; transparent, as WeChat's. */
const FRAME_STYLE = `
  * { box-sizing: border-box; }
  html, body { margin: 0; background: transparent; overflow: hidden; }
  body { font: 14px/1.4 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Helvetica Neue", Arial, sans-serif;
    color: rgba(0, 0, 0, .9); text-align: center; }
  body.style-white { color: #fff; }
  .impowerBox { width: 300px; height: 400px; padding: 12px 0 0; display: flex; flex-direction: column; align-items: center; }
  .title { font-size: 20px; font-weight: 600; }
  .qrcode { width: 180px; height: 180px; margin-top: 12px; padding: 4px; background: #fff; }
  .lightBorder { border: 1px solid #e2e2e2; }
  .qrcode svg { display: block; width: 100%; height: 100%; }
  .info { margin-top: 10px; }
  .status { font-size: 13px; }
  .simulate { margin-top: 10px; display: flex; flex-direction: column; gap: 6px; align-items: center; }
  select { width: 200px; padding: 4px; font: inherit; }
  button, .btn { width: 200px; padding: 6px 0; border: 1px solid #07c160; border-radius: 6px; background: #fff; color: #07c160;
    font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; display: block; }
  .sandbox-tag { margin: auto 0 4px; font-size: 11px; opacity: .5; }
  .lite .title { display: none; }
  .lite .qrcode { width: 160px; height: 160px; }
`;

function framePage(title: string, head: string, body: string, style: 'black' | 'white'): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
  <style>${FRAME_STYLE}</style>
  ${head}
</head>
<body class="style-${style}">
  ${body}
</body>
</html>
`;
}
