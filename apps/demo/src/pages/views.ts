import type { WxQrLogin } from 'nest-wx-oauth';
import { qrCodeSvg } from 'nest-wx-oauth/testing';
import type { DemoIdentity, DemoLogin, DemoUser } from '../auth/demo-user.js';
import { html, SafeHtml } from './html.js';
import { layout } from './layout.js';

/** What wxLogin.js is given: the settings `WxQrLogin` minted for this page. */
type WxLoginSettings = Awaited<ReturnType<WxQrLogin['settings']>>;

export function homePage(
  loginPath: string,
  user: DemoLogin | undefined,
  sandboxNote: string | undefined,
  standIns: { miniProgram?: boolean; app?: boolean; saas?: boolean } = {},
): string {
  // The stand-ins for the clients that are not browsers, with a sandbox only; the SaaS's admin when it runs as one.
  const tryStandIns = [
    standIns.miniProgram &&
      html`<p><a id="try-mini-program" href="/miniprogram">Try the mini-program login</a></p>`,
    standIns.app && html`<p><a id="try-app" href="/app">Try the native app login</a></p>`,
    standIns.saas &&
      html`<p>
        <a id="saas-admin" href="/admin/merchants"
          >SaaS: merchants connect their official accounts</a
        >
      </p>`,
  ];
  const body = user
    ? html`<div class="card">
        <h1>Welcome back, ${user.nickname ?? user.openid}</h1>
        <p class="lead">You are logged in with WeChat.</p>
        <a class="button" href="/profile">Your profile</a>
        <a class="button secondary" href="/logout">Log out</a>
        ${tryStandIns}
      </div>`
    : html`<div class="card">
        <h1>nest-wx-oauth demo</h1>
        <p class="lead">
          Log in with WeChat: the website QR login on a computer, the official-account login inside
          WeChat.
        </p>
        <a class="button" id="login" href="${loginPath}">Log in with WeChat · 微信登录</a>
        ${tryStandIns}
      </div>`;
  return layout('Home', body, sandboxNote);
}

const APP_LABELS: Record<string, string> = {
  officialAccount: 'official account',
  website: 'website app',
  miniProgram: 'mini-program',
  mobileApp: 'mobile app',
};

/** What the profile page's forms carry, and what the last one did. */
export interface ProfileForms {
  /** Where the unlink form posts. */
  unlinkPath: string;
  /** The session's form token (`SessionService.formToken`). */
  token: string;
  /** Why the last form was refused. */
  notice?: string;
}

export function profilePage(
  user: DemoUser,
  sandboxNote: string | undefined,
  forms: ProfileForms,
): string {
  const avatar = user.headimgurl
    ? html`<img
        class="avatar"
        src="${user.headimgurl}"
        alt="avatar"
        referrerpolicy="no-referrer"
      />`
    : html`<div class="avatar" aria-label="no avatar">${[...(user.nickname ?? '?')][0]}</div>`;
  // WeChat gives no profile for snsapi_base (a snapshot-page user is refused: its ids are virtual).
  const nickname = user.nickname ?? '(no nickname: snsapi_base)';
  const body = html`<div class="card">
    ${forms.notice ? html`<p class="notice" id="notice" role="alert">${forms.notice}</p>` : ''}
    <div class="who">
      ${avatar}
      <div>
        <h1 id="nickname">${nickname}</h1>
      </div>
    </div>
    <dl>
      <dt>appid</dt>
      <dd id="appid">${user.appid}</dd>
      <dt>openid</dt>
      <dd id="openid">${user.openid}</dd>
      <dt>unionid</dt>
      <dd id="unionid">${user.unionid ?? '—'}</dd>
      <dt>phone</dt>
      <dd id="phone">${user.phoneNumber ?? '—'}</dd>
      <dt>scope</dt>
      <dd id="scope">${user.scope.join(', ')}</dd>
      <dt>user</dt>
      <dd id="user-id">${user.id}</dd>
    </dl>
    <h2>WeChat identities · 微信身份</h2>
    <div id="identities">
      ${user.identities.map((identity) => identityCard(identity, user, forms))}
    </div>
    <a class="button secondary" id="logout" href="/logout">Log out</a>
  </div>`;
  return layout('Profile', body, sandboxNote);
}

/** One identity of the person, with a form to unlink it, unless this session logged in through it. */
function identityCard(identity: DemoIdentity, user: DemoUser, forms: ProfileForms): SafeHtml {
  const { kind, appid, openid, unionid, linkedAt } = identity;
  const current = appid === user.appid && openid === user.openid;
  return html`<div
    class="identity"
    data-app="${kind}"
    data-appid="${appid}"
    data-openid="${openid}"
  >
    <dl>
      <dt>app</dt>
      <dd class="kind">${APP_LABELS[kind] ?? kind}</dd>
      <dt>appid</dt>
      <dd class="appid">${appid}</dd>
      <dt>openid</dt>
      <dd class="openid">${openid}</dd>
      <dt>unionid</dt>
      <dd class="unionid">${unionid ?? '—'}</dd>
      <dt>linked</dt>
      <dd class="linked-at">
        <time datetime="${linkedAt.toISOString()}">${formatTime(linkedAt)}</time>
      </dd>
    </dl>
    ${
      current
        ? html`<span class="badge current">this session's login</span>`
        : html`<form method="post" action="${forms.unlinkPath}">
            <input type="hidden" name="appid" value="${appid}" />
            <input type="hidden" name="openid" value="${openid}" />
            <input type="hidden" name="token" value="${forms.token}" />
            <button class="button secondary unlink" type="submit">Unlink</button>
          </form>`
    }
  </div>`;
}

/** A time as UTC, to the second: the page says the same on every server. */
function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
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
    <a class="button" id="retry" href="${view.retryPath}">Try again</a>
    <a class="button secondary" href="/">Home</a>
  </div>`;
  return layout(view.title, body);
}

/** The desktop login: WeChat's QR code inside this page, through wxLogin.js, with the state this page minted. */
export function qrLoginPage(
  settings: WxLoginSettings,
  wxLoginJsUrl: string,
  fallbackPath: string,
  banner: string | undefined,
): string {
  // JSON in a data block, which no Content-Security-Policy blocks: escape what could close the tag.
  const options = new SafeHtml(
    JSON.stringify({ id: 'wx_qr', ...settings }).replace(/</g, '\\u003c'),
  );
  const body = html`<div class="card">
    <h1>Log in with WeChat · 微信登录</h1>
    <p class="lead">Scan the code with WeChat on your phone.</p>
    <div id="wx_qr" class="qr-frame"></div>
    <p><a id="full-page-qr" href="${fallbackPath}">No code showing? Log in on WeChat's page</a></p>
    <script type="application/json" id="wx-settings">
      ${options}
    </script>
    <script src="${wxLoginJsUrl}"></script>
    <script src="/assets/login.js"></script>
  </div>`;
  return layout('Log in', body, banner);
}

/** A computer, and the site has no website app: only WeChat itself can log in here. */
export function openInWeChatPage(pageUrl: string, banner: string | undefined): string {
  const body = html`<div class="card">
    <h1 id="open-in-wechat">Open this page in WeChat</h1>
    <p class="lead">
      This site logs in through its WeChat official account, which works only inside WeChat. Scan
      the code with WeChat on your phone to open this page there.
    </p>
    <div class="qr">${new SafeHtml(qrCodeSvg(pageUrl, 'this page in WeChat'))}</div>
    <p class="errcode" id="page-url">${pageUrl}</p>
  </div>`;
  return layout('Open in WeChat', body, banner);
}

/** The follow-to-log-in QR code: the page shows it, polls, and logs in once the scan arrives. */
export function followLoginPage(returnTo: string | undefined, banner: string | undefined): string {
  const body = html`<div class="card">
    <h1 id="follow-login">Scan to log in · 扫码关注登录</h1>
    <p class="lead">
      Scan the code with WeChat and follow the official account (or open it, if you already follow
      it): this page logs you in.
    </p>
    <div class="qr"><img id="follow-qr" alt="the official account's QR code" /></div>
    <p class="errcode" id="follow-status" data-return-to="${returnTo ?? ''}">
      Waiting for the scan…
    </p>
    <script src="/assets/follow-login.js"></script>
  </div>`;
  return layout('Scan to log in', body, banner);
}

/**
 * Stands in for a mini-program, against a sandbox: pick a test user, `wx.login()`
 * and the phone button mint codes at the sandbox, the login posts them as a
 * mini-program would, and the bearer token it answers opens `/api/me`.
 */
export function miniProgramPage(
  settings: { appid: string; sandboxUrl: string },
  banner: string | undefined,
): string {
  const data = new SafeHtml(JSON.stringify(settings).replace(/</g, '\\u003c'));
  const body = html`<div class="card">
    <h1 id="mini-program">Mini-program login · 小程序登录</h1>
    <p class="lead">
      A stand-in for mini-program ${settings.appid}: what it would do, step by step, with a test
      user of the sandbox.
    </p>
    <p>
      <label
        >Test user
        <select id="mp-user"></select
      ></label>
      <label><input type="checkbox" id="mp-phone" /> share the phone number</label>
    </p>
    <p>
      <button class="button" id="mp-login">wx.login() and log in</button>
      <button class="button secondary" id="mp-me" disabled>GET /api/me</button>
    </p>
    <pre id="mp-output" class="output"></pre>
    <script type="application/json" id="mp-settings">
      ${data}
    </script>
    <script src="/assets/mini-program.js"></script>
  </div>`;
  return layout('Mini-program login', body, banner);
}
