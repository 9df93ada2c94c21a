import { createHash } from 'node:crypto';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML and XML, in content and in quoted attributes alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The first user-perceived character (a whole emoji, not half a surrogate pair), upper-cased; `fallback` for blank text. */
export function initialOf(text: string, fallback = '?'): string {
  const first = graphemes.segment(text.trim())[Symbol.iterator]().next().value;
  return first ? first.segment.toUpperCase() : fallback;
}

/** Calm, saturated colours that keep white text readable. */
const PALETTE = [
  '#07C160',
  '#10AEFF',
  '#FA9D3B',
  '#FA5151',
  '#6467F0',
  '#1485EE',
  '#2BA245',
  '#D15FEE',
  '#13A8A8',
  '#E5843F',
];

/** A stable colour for a seed (a user key, an app name), so the same avatar looks the same on every run. */
export function colourFor(seed: string): string {
  return PALETTE[createHash('sha256').update(seed).digest().readUInt32BE(0) % PALETTE.length];
}

/**
 * One look for every sandbox page, after WeChat's own (WeUI): grey page, white
 * sheet, #07C160 primary button. Self-contained: no scripts, fonts or images to fetch.
 */
const STYLE = `
  * { box-sizing: border-box; }
  html { -webkit-text-size-adjust: 100%; }
  body { margin: 0; min-height: 100vh; background: #ededed; color: rgba(0, 0, 0, .9);
    font: 17px/1.4 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
  main { max-width: 420px; min-height: 100vh; margin: 0 auto; padding: 40px 24px 32px; background: #fff; display: flex; flex-direction: column; }
  h1, h2, p { margin: 0; }
  .en { color: rgba(0, 0, 0, .45); font-size: 13px; }
  @media (min-width: 600px) {
    body { padding: 48px 0; }
    main { min-height: 0; border-radius: 12px; box-shadow: 0 2px 16px rgba(0, 0, 0, .06); }
  }
  .sandbox-tag { align-self: center; margin-top: auto; padding-top: 24px; color: rgba(0, 0, 0, .3); font-size: 12px; text-align: center; }

  .app { text-align: center; padding-bottom: 24px; border-bottom: 1px solid rgba(0, 0, 0, .1); }
  .app-logo { width: 64px; height: 64px; margin: 0 auto 12px; border-radius: 50%; color: #fff; font-size: 30px; font-weight: 500;
    display: flex; align-items: center; justify-content: center; }
  .app h1 { font-size: 20px; font-weight: 600; word-break: break-word; }
  .app .brand { margin-top: 4px; color: rgba(0, 0, 0, .5); font-size: 14px; }

  .ask { padding: 24px 0 8px; }
  .ask h2 { font-size: 17px; font-weight: 600; }
  .ask .scope { margin-top: 12px; color: rgba(0, 0, 0, .55); font-size: 15px; display: flex; gap: 8px; align-items: baseline; }
  .ask .scope::before { content: ""; flex: none; width: 6px; height: 6px; border-radius: 50%; background: rgba(0, 0, 0, .3); transform: translateY(-2px); }
  .ask .scope-en { margin: 2px 0 0 14px; }

  .pick { margin-top: 20px; font-size: 14px; color: rgba(0, 0, 0, .5); }
  .users { list-style: none; margin: 8px 0 0; padding: 0; border-top: 1px solid rgba(0, 0, 0, .1); }
  .users li { border-bottom: 1px solid rgba(0, 0, 0, .1); }
  .users label { display: flex; align-items: center; gap: 12px; padding: 10px 4px; cursor: pointer; }
  .users label:has(input:checked) { background: rgba(7, 193, 96, .06); }
  .users input { order: 3; flex: none; appearance: none; width: 22px; height: 22px; margin: 0 0 0 auto; border: 1px solid rgba(0, 0, 0, .25); border-radius: 50%; }
  .users input:checked { border: 6px solid #07c160; }
  .users input:focus-visible { outline: 2px solid #07c160; outline-offset: 2px; }
  .avatar { flex: none; width: 44px; height: 44px; border-radius: 6px; background: #d8d8d8; object-fit: cover; }
  .avatar.blank { display: flex; align-items: center; justify-content: center; color: #fff; font-size: 20px; }
  .who { display: flex; flex-direction: column; min-width: 0; }
  .nickname { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .key { color: rgba(0, 0, 0, .45); font-size: 13px; }

  .actions { display: flex; flex-direction: column; align-items: center; gap: 16px; margin-top: 32px; }
  .btn { display: block; width: 184px; padding: 10px 0; border: 0; border-radius: 8px; font: inherit; font-weight: 600; text-align: center;
    text-decoration: none; background: #f2f2f2; color: #06ae56; cursor: pointer; }
  .btn.primary { background: #07c160; color: #fff; }
  .btn.primary:active { background: #06ad56; }
  .btn:active { background: #e6e6e6; }
  /* The English sub-label stays out of the button text, which tests and screen readers read as WeChat's. */
  .btn[data-en]::after { content: attr(data-en); display: block; font-size: 12px; font-weight: 400; opacity: .75; }

  .qr-page { text-align: center; align-items: center; }
  .qr-page h1 { font-size: 20px; font-weight: 600; }
  .qr-frame { max-width: 100%; margin-top: 24px; padding: 8px; border: 1px solid rgba(0, 0, 0, .1); border-radius: 8px; }
  .qr-frame svg { display: block; max-width: 100%; height: auto; }
  .qr-status { margin-top: 16px; font-size: 15px; }
  .qr-status .app-name { margin-top: 4px; color: rgba(0, 0, 0, .55); word-break: break-word; }
  .qr-page .actions { margin-top: 28px; gap: 8px; }
  .qr-page .follow-scan { align-self: stretch; text-align: left; }
  .qr-page .attempts { align-self: stretch; margin: 20px 0 0; text-align: left; }
  .qr-page .btn { width: auto; padding: 8px 20px; font-size: 15px; background: #fff; border: 1px solid #07c160; color: #07c160; }

  .console h1 { font-size: 20px; font-weight: 600; }
  .console .accounts { list-style: none; margin: 12px 0 0; padding: 0; font-size: 14px; }
  .console .accounts a[aria-current] { font-weight: 600; color: inherit; text-decoration: none; }
  .console .status { margin-top: 16px; font-size: 15px; word-break: break-all; }
  .console .notice { margin-top: 16px; padding: 10px 12px; border-radius: 6px; font-size: 15px; }
  .console .notice.ok { background: rgba(7, 193, 96, .1); color: #06ae56; }
  .console .notice.refused { background: rgba(250, 81, 81, .1); color: #fa5151; }
  .console form { margin-top: 8px; }
  .console form > label { display: block; margin-top: 16px; font-size: 14px; color: rgba(0, 0, 0, .55); }
  .console input:not([type=radio]) { display: block; width: 100%; margin-top: 4px; padding: 8px; border: 1px solid rgba(0, 0, 0, .2);
    border-radius: 6px; font: 15px ui-monospace, SFMono-Regular, Menlo, monospace; color: rgba(0, 0, 0, .9); }
  .console fieldset { margin: 16px 0 0; padding: 0; border: 0; font-size: 14px; }
  .console legend { padding: 0; color: rgba(0, 0, 0, .55); }
  .console .choice { display: block; margin-top: 6px; }

  .error-page { text-align: center; }
  .error-icon { width: 64px; height: 64px; margin: 24px auto 20px; border-radius: 50%; background: #fa9d3b; color: #fff;
    font-size: 40px; font-weight: 600; line-height: 64px; }
  .error-page h1 { font-size: 20px; font-weight: 600; word-break: break-word; }
  .error-page .errcode { margin-top: 8px; color: rgba(0, 0, 0, .5); font-size: 14px; }
  .error-page .hint { margin-top: 24px; color: rgba(0, 0, 0, .5); font-size: 14px; }
`;

/** A whole UTF-8 page for a phone screen; `title` is escaped, `main` is trusted markup. */
export function renderPage(title: string, main: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>${STYLE}</style>
</head>
<body>
  ${main}
</body>
</html>
`;
}

/** The footnote that tells a reader this is not the real WeChat. */
export const SANDBOX_TAG =
  '<p class="sandbox-tag">WxSandbox 测试环境，非微信官方页面<br>Test environment, not the real WeChat</p>';
