import type { DemoUser } from '../auth/demo-user.js';
import { html } from './html.js';
import { layout } from './layout.js';

export function homePage(loginPath: string, user: DemoUser | undefined, sandboxNote: string | undefined): string {
  const body = user
    ? html`<div class="card">
        <h1>Welcome back, ${user.nickname ?? user.openid}</h1>
        <p class="lead">You are logged in with WeChat.</p>
        <a class="button" href="/profile">Your profile</a> <a class="button secondary" href="/logout">Log out</a>
      </div>`
    : html`<div class="card">
        <h1>nest-wx-oauth demo</h1>
        <p class="lead">Log in with WeChat: the website QR login on a computer, the official-account login inside WeChat.</p>
        <a class="button" id="login" href="${loginPath}">Log in with WeChat · 微信登录</a>
      </div>`;
  return layout('Home', body, sandboxNote);
}

export function profilePage(user: DemoUser, sandboxNote: string | undefined): string {
  const avatar = user.headimgurl
    ? html`<img class="avatar" src="${user.headimgurl}" alt="avatar" referrerpolicy="no-referrer">`
    : html`<div class="avatar" aria-label="no avatar">${[...(user.nickname ?? '?')][0]}</div>`;
  const body = html`<div class="card">
    <div class="who">${avatar}<div><h1 id="nickname">${user.nickname ?? '(no nickname: snsapi_base)'}</h1>
      ${user.isSnapshotUser ? html`<span class="badge" id="snapshot">snapshot-page user: ids are virtual</span>` : ''}</div></div>
    <dl>
      <dt>openid</dt><dd id="openid">${user.openid}</dd>
      <dt>unionid</dt><dd id="unionid">${user.unionid ?? '—'}</dd>
      <dt>scope</dt><dd id="scope">${user.scope.join(', ')}</dd>
      <dt>snapshot user</dt><dd id="is-snapshot">${user.isSnapshotUser ? 'yes' : 'no'}</dd>
    </dl>
    <a class="button secondary" id="logout" href="/logout">Log out</a>
  </div>`;
  return layout('Profile', body, sandboxNote);
}

export interface ErrorView {
  status: number;
  title: string;
  reason: string;
  errcode?: number;
  errmsg?: string;
  retryPath: string;
}

export function errorPage(view: ErrorView): string {
  const body = html`<div class="card error">
    <h1 id="error-title">${view.title}</h1>
    <p class="lead" id="error-reason">${view.reason}</p>
    ${view.errcode !== undefined ? html`<p class="errcode" id="errcode">WeChat errcode ${view.errcode}${view.errmsg ? `: ${view.errmsg}` : ''}</p>` : ''}
    <p class="errcode">HTTP ${view.status}</p>
    <a class="button" id="retry" href="${view.retryPath}">Try again</a> <a class="button secondary" href="/">Home</a>
  </div>`;
  return layout(view.title, body);
}
