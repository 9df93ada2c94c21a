import { html, type SafeHtml } from './html.js';

/** The demo's stylesheet, served as /assets/demo.css. */
export const STYLE = `
  :root { color-scheme: light; --green: #07c160; --ink: #191919; --muted: #7f7f7f; --line: #ededed; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 -apple-system, "PingFang SC", "Helvetica Neue", "Microsoft YaHei", sans-serif;
         color: var(--ink); background: #f7f7f7; }
  header { background: #fff; border-bottom: 1px solid var(--line); padding: 14px 24px; display: flex;
           justify-content: space-between; align-items: center; }
  header a { color: var(--ink); text-decoration: none; font-weight: 600; }
  main { max-width: 560px; margin: 40px auto; padding: 0 16px; }
  .card { background: #fff; border-radius: 12px; padding: 32px; box-shadow: 0 1px 3px rgba(0,0,0,.06); }
  h1 { font-size: 24px; margin: 0 0 8px; }
  p.lead { color: var(--muted); margin: 0 0 24px; }
  .button { display: inline-block; border: 0; border-radius: 8px; padding: 12px 22px; font-size: 16px; cursor: pointer;
            background: var(--green); color: #fff; text-decoration: none; font-weight: 600; }
  .button.secondary { background: #f2f2f2; color: var(--ink); }
  .button.wecom { background: #0082ef; }
  .note { color: var(--muted); font-size: 14px; }
  .avatar { width: 72px; height: 72px; border-radius: 10px; object-fit: cover; background: #e5e5e5;
            display: flex; align-items: center; justify-content: center; font-size: 32px; color: #fff; }
  .who { display: flex; gap: 16px; align-items: center; margin-bottom: 24px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 8px 16px; margin: 0 0 24px; }
  dt { color: var(--muted); }
  dd { margin: 0; font-family: ui-monospace, Menlo, monospace; font-size: 14px; word-break: break-all; }
  .badge { display: inline-block; padding: 2px 8px; border-radius: 10px; background: #fff3e0; color: #e65100; font-size: 13px; }
  .error { border-top: 4px solid #fa5151; }
  .output { font-size: 13px; white-space: pre-wrap; word-break: break-all; background: #f7f7f7; border-radius: 8px; padding: 12px; }
  .errcode { font-family: ui-monospace, Menlo, monospace; color: var(--muted); font-size: 14px; }
  h2 { font-size: 18px; margin: 0 0 12px; }
  .identity { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 0 0 12px; }
  .identity dl { margin: 0 0 8px; }
  .identity form { margin: 0; }
  .identity .button { padding: 6px 14px; font-size: 14px; }
  .notice { border-left: 4px solid #fa5151; background: #fff1f0; padding: 8px 12px; margin: 0 0 16px; }
  .notice.ok { border-left-color: var(--green); background: #f0fff4; }
  .merchant { margin-top: 16px; }
  .status-connected { background: #e8f8ee; color: #06ad56; }
  .status-revoked { background: #fff1f0; color: #fa5151; }
  footer { text-align: center; color: var(--muted); font-size: 13px; margin: 24px 0; }
`;

/** The page shell every demo page shares. */
export function layout(title: string, body: SafeHtml, banner?: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · nest-wx-oauth demo</title>
        <link rel="stylesheet" href="/assets/demo.css" />
      </head>
      <body>
        <header><a href="/">nest-wx-oauth demo</a><span>${banner}</span></header>
        <main>${body}</main>
        <footer>WeChat login for NestJS · 微信登录</footer>
      </body>
    </html>`.value;
}
