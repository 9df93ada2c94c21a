import type { AuthorizeEndpoint, AuthorizePageError, AuthorizeRequest } from './authorize-request.js';
import type { WxSandboxScope, WxSandboxUser } from './wx-sandbox.types.js';

const SCOPE_TEXT: Record<WxSandboxScope, string> = {
  snsapi_base: '获取你的身份标识 (openid)',
  snsapi_userinfo: '获取你的昵称、头像',
  snsapi_login: '获取你的昵称、头像',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

export interface ConsentPageInput {
  appName: string;
  endpoint: AuthorizeEndpoint;
  request: AuthorizeRequest;
  users: readonly WxSandboxUser[];
}

/**
 * WeChat's consent step, with a choice of test user. The form GETs
 * `/connect/sandbox/decide` so the sandbox never parses a body; the original
 * parameters ride along as hidden fields, in WeChat's order.
 */
export function consentPage({ appName, endpoint, request, users }: ConsentPageInput): string {
  const hidden: Array<[string, string]> = [
    ['appid', request.appid],
    ['redirect_uri', request.redirectUri],
    ['response_type', 'code'],
    ['scope', request.scope],
  ];
  if (request.state !== undefined) hidden.push(['state', request.state]);
  const heading = endpoint === 'qrconnect' ? '微信登录' : '微信网页授权';
  const userItems = users
    .map(
      (user, i) => `
        <li><label>
          <input type="radio" name="user" value="${escapeHtml(user.key)}" data-user="${escapeHtml(user.key)}"${i === 0 ? ' checked' : ''}>
          <span class="nickname">${escapeHtml(user.nickname)}</span>
          <span class="key">${escapeHtml(user.key)}${user.snapshot ? ' · 快照页虚拟用户' : ''}</span>
        </label></li>`,
    )
    .join('');
  return page(
    `${heading} - ${appName}`,
    `<main id="consent" data-scope="${escapeHtml(request.scope)}">
      <p class="brand">${heading} · Sandbox</p>
      <h1 id="app-name">${escapeHtml(appName)}</h1>
      <p>申请使用：</p>
      <p id="scope-text" class="scope">${SCOPE_TEXT[request.scope]}</p>
      <form method="get" action="/connect/sandbox/decide">
        ${hidden.map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`).join('\n        ')}
        <p>以哪位测试用户身份登录：</p>
        <ul class="users">${userItems}
        </ul>
        <button id="approve" type="submit" name="decision" value="approve" class="primary">允许</button>
        <button id="deny" type="submit" name="decision" value="deny">拒绝</button>
      </form>
    </main>`,
  );
}

/** WeChat answers a bad authorize link with a page, never a redirect. */
export function errorPage(error: AuthorizePageError): string {
  const code = error.errcode === undefined ? '' : ` data-errcode="${error.errcode}"`;
  return page(
    '微信授权错误',
    `<main id="wx-error"${code}>
      <h1>${escapeHtml(error.message)}</h1>
      ${error.errcode === undefined ? '' : `<p>错误码：${error.errcode}</p>`}
      <p class="hint">该链接无法访问</p>
    </main>`,
  );
}

function page(title: string, main: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>
    body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; background: #ededed; color: #191919; }
    main { max-width: 420px; margin: 48px auto; padding: 32px 24px; background: #fff; border-radius: 8px; text-align: center; }
    .brand, .key, .hint { color: #888; font-size: 14px; }
    .scope { font-weight: 600; }
    .users { list-style: none; padding: 0; text-align: left; }
    .users li { padding: 8px 0; border-bottom: 1px solid #eee; }
    button { display: block; width: 100%; margin-top: 12px; padding: 12px; border: 0; border-radius: 4px; font-size: 17px; background: #f2f2f2; color: #07c160; }
    button.primary { background: #07c160; color: #fff; }
  </style>
</head>
<body>
  ${main}
</body>
</html>
`;
}
