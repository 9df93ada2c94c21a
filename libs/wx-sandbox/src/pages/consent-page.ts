import { authorizeParams, type AuthorizeRequest } from '../model/authorize-request.js';
import { SANDBOX_TAG, colourFor, escapeHtml, initialOf, renderPage } from './page-shell.js';
import type { WxSandboxScope, WxSandboxUser } from '../wx-sandbox.types.js';

/** What each scope shares, in WeChat's words, with an English gloss. */
const SCOPE_TEXT: Record<WxSandboxScope, { zh: string; en: string }> = {
  snsapi_base: { zh: '获得你的公开信息（openid）', en: 'Your public info (openid)' },
  snsapi_userinfo: {
    zh: '获得你的公开信息（昵称、头像等）',
    en: 'Your public profile (nickname, avatar, etc.)',
  },
  snsapi_login: { zh: '获得你的昵称、头像', en: 'Your nickname and avatar' },
};

/** The pages that ask for consent: WeChat's own in-app page, and the phone's after a QR scan. */
export type ConsentEndpoint = 'authorize' | 'scan';

const HEADING: Record<ConsentEndpoint, { zh: string; en: string }> = {
  authorize: { zh: '微信网页授权', en: 'WeChat authorization' },
  scan: { zh: '微信登录', en: 'WeChat login' },
};

export interface ConsentPageInput {
  appName: string;
  endpoint: ConsentEndpoint;
  request: AuthorizeRequest;
  users: readonly WxSandboxUser[];
}

/**
 * WeChat's consent step, with a choice of test user. The form GETs
 * `/connect/sandbox/decide` so the sandbox never parses a body; the original
 * parameters ride along as hidden fields, in WeChat's order.
 */
export function consentPage({ appName, endpoint, request, users }: ConsentPageInput): string {
  const heading = HEADING[endpoint];
  const scope = SCOPE_TEXT[request.scope];
  const hidden = authorizeParams(request)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n        ');
  return renderPage(
    `${heading.zh} - ${appName}`,
    `<main id="consent" data-scope="${escapeHtml(request.scope)}">
      <header class="app">
        <div class="app-logo" style="background:${colourFor(appName)}" aria-hidden="true">${escapeHtml(initialOf(appName))}</div>
        <h1 id="app-name">${escapeHtml(appName)}</h1>
        <p class="brand">${heading.zh} · ${heading.en}</p>
      </header>
      <section class="ask">
        <h2>申请获得以下权限</h2>
        <p class="en">This app asks for</p>
        <p id="scope-text" class="scope">${scope.zh}</p>
        <p class="en scope-en">${scope.en}</p>
      </section>
      <form method="get" action="/connect/sandbox/decide">
        ${hidden}
        <p class="pick">选择测试用户 · Choose a test user</p>
        <ul class="users">${users.map(userItem).join('')}
        </ul>
        <div class="actions">
          <button id="approve" type="submit" name="decision" value="approve" class="btn primary" data-en="Allow">允许</button>
          <button id="deny" type="submit" name="decision" value="deny" class="btn" data-en="Deny">拒绝</button>
        </div>
      </form>
      ${SANDBOX_TAG}
    </main>`,
  );
}

function userItem(user: WxSandboxUser, index: number): string {
  const key = escapeHtml(user.key);
  return `
          <li><label>
            <input type="radio" name="user" value="${key}" data-user="${key}"${index === 0 ? ' checked' : ''}>
            ${avatarImage(user)}
            <span class="who">
              <span class="nickname">${escapeHtml(user.nickname)}</span>
              <span class="key">${key}${user.snapshot ? ' · 快照页虚拟用户 / snapshot user' : ''}</span>
            </span>
          </label></li>`;
}

/** The user's headimgurl; WeChat's grey placeholder (with the initial) when they have none. */
function avatarImage(user: WxSandboxUser): string {
  if (!user.headimgurl)
    return `<span class="avatar blank" aria-hidden="true">${escapeHtml(initialOf(user.nickname))}</span>`;
  return `<img class="avatar" src="${escapeHtml(user.headimgurl)}" alt="" width="44" height="44">`;
}
