import type { WxQrLogin } from 'nest-wx-oauth';
import { qrCodeSvg } from 'nest-wx-oauth/testing';
import type {
  DemoIdentity,
  DemoLogin,
  DemoUser,
  DemoWeComDetails,
  DemoWeComLogin,
} from '../auth/demo-user.js';
import { WECOM_LOGIN_PATH } from '../auth/wecom-login.controller.js';
import { html, SafeHtml } from './html.js';
import { layout } from './layout.js';

/** What wxLogin.js is given: the settings `WxQrLogin` minted for this page. */
type WxLoginSettings = Awaited<ReturnType<WxQrLogin['settings']>>;

/** What the home page offers: the logins the site has apps for, and the stand-ins. */
export interface HomeOffers {
  /** "Log in with WeChat": a WeChat app for the browser. */
  wechat?: boolean;
  /** "Log in with WeCom": a WeCom app. */
  wecom?: boolean;
  /** The stand-ins for the clients that are not browsers, with a sandbox only. */
  miniProgram?: boolean;
  app?: boolean;
  /** The SaaS's admin, when the demo runs as one. */
  saas?: boolean;
}

export function homePage(
  loginPath: string,
  user: DemoLogin | undefined,
  sandboxNote: string | undefined,
  offers: HomeOffers = { wechat: true },
): string {
  const tryStandIns = [
    offers.miniProgram &&
      html`<p><a id="try-mini-program" href="/miniprogram">Try the mini-program login</a></p>`,
    offers.app && html`<p><a id="try-app" href="/app">Try the native app login</a></p>`,
    offers.saas &&
      html`<p>
        <a id="saas-admin" href="/admin/merchants"
          >SaaS: merchants connect their official accounts</a
        >
      </p>`,
  ];
  const body = user
    ? html`<div class="card">
        <h1>Welcome back, ${user.nickname ?? user.wecom?.userid ?? user.openid}</h1>
        <p class="lead" id="logged-in-with">
          ${
            user.wecom
              ? `You are logged in with WeCom, as ${user.wecom.userid ?? user.openid} of corp ${user.wecom.corpid}.`
              : 'You are logged in with WeChat.'
          }
        </p>
        <a class="button" href="/profile">Your profile</a>
        <a class="button secondary" href="/logout">Log out</a>
        ${tryStandIns}
      </div>`
    : html`<div class="card">
        <h1>nest-wx-oauth demo</h1>
        ${
          offers.wechat
            ? html`<p class="lead">
                  Log in with WeChat: the website QR login on a computer, the official-account login
                  inside WeChat.
                </p>
                <p>
                  <a class="button" id="login" href="${loginPath}">Log in with WeChat · 微信登录</a>
                </p>`
            : ''
        }
        ${
          offers.wecom
            ? html`<p>
                  <a class="button wecom" id="login-wecom" href="${WECOM_LOGIN_PATH}"
                    >Log in with WeCom · 企业微信登录</a
                  >
                </p>
                <p class="note" id="wecom-note">
                  For members of the company's WeCom (企业微信). Inside the WeCom client, WeCom asks
                  whether to share your details with this site (snsapi_privateinfo: name, avatar,
                  mobile, email); your profile shows them if you agree, your userid alone if you
                  decline. On a computer, WeCom's login page (scan it with WeCom) gives your userid
                  alone.
                </p>`
            : ''
        }
        ${tryStandIns}
      </div>`;
  return layout('Home', body, sandboxNote);
}

const APP_LABELS: Record<string, string> = {
  officialAccount: 'official account',
  website: 'website app',
  miniProgram: 'mini-program',
  mobileApp: 'mobile app',
  wecom: 'WeCom corp',
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
  const { wecom } = user;
  // A WeCom session shows what this login brought: the details shared, or the userid alone.
  const [picture, name] = wecom
    ? [wecom.details?.avatar, wecom.details?.name ?? wecom.userid ?? user.openid]
    : // WeChat gives no profile for snsapi_base (a snapshot-page user is refused: its ids are virtual).
      [user.headimgurl, user.nickname ?? '(no nickname: snsapi_base)'];
  const initial = [...((wecom ? wecom.details?.name : user.nickname) ?? '?')][0];
  const avatar = picture
    ? html`<img class="avatar" src="${picture}" alt="avatar" referrerpolicy="no-referrer" />`
    : html`<div class="avatar" aria-label="no avatar">${initial}</div>`;
  const body = html`<div class="card">
    ${forms.notice ? html`<p class="notice" id="notice" role="alert">${forms.notice}</p>` : ''}
    <div class="who">
      ${avatar}
      <div>
        <h1 id="nickname">${name}</h1>
      </div>
    </div>
    ${wecom ? weComSection(user, wecom) : weChatSection(user)}
    <h2>Identities · 身份</h2>
    <div id="identities">
      ${user.identities.map((identity) => identityCard(identity, user, forms))}
    </div>
    <a class="button secondary" id="logout" href="/logout">Log out</a>
  </div>`;
  return layout('Profile', body, sandboxNote);
}

/** A WeChat login: the app, its openid, the unionid, what the person shared, the scope. */
function weChatSection(user: DemoUser): SafeHtml {
  return html`<dl>
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
  </dl>`;
}

/** What a WeCom member's details are called on the page, in the order it shows them. */
const WECOM_DETAILS: [key: keyof DemoWeComDetails, label: string][] = [
  ['name', 'name'],
  ['gender', 'gender'],
  ['mobile', 'mobile'],
  ['email', 'email'],
  ['bizMail', 'corp mailbox'],
];

/**
 * A WeCom login: the corp, the app, the member's userid, and the details they shared in this
 * login, or why there are none (WeCom gives them only inside its client, after the member agrees).
 */
function weComSection(user: DemoUser, wecom: DemoWeComLogin): SafeHtml {
  const { details } = wecom;
  return html`<dl>
      <dt>corp</dt>
      <dd id="corpid">${wecom.corpid}</dd>
      <dt>app</dt>
      <dd id="agentid">${wecom.agentid}</dd>
      <dt>userid</dt>
      <dd id="userid">${wecom.userid ?? '—'}</dd>
      <dt>user</dt>
      <dd id="user-id">${user.id}</dd>
    </dl>
    <h2>WeCom details · 企业微信成员信息</h2>
    ${
      details
        ? html`<p class="note" id="wecom-details-note">
              Shared by you in the WeCom client (snsapi_privateinfo): WeCom gives those of your
              details the company has, and nothing it lacks.
            </p>
            <dl id="wecom-details">
              ${WECOM_DETAILS.filter(([key]) => details[key] !== undefined).map(
                ([key, label]) =>
                  html`<dt>${label}</dt>
                    <dd data-detail="${key}">${details[key]}</dd>`,
              )}
            </dl>`
        : html`<p class="note" id="wecom-no-details">
            No details: this login brought your userid alone. WeCom shares a member's name, avatar,
            mobile and email only inside the WeCom client, when the member agrees
            (snsapi_privateinfo); not through the web login page, and not when you decline.
          </p>`
    }`;
}

/** One identity of the person, with a form to unlink it, unless this session logged in through it. */
function identityCard(identity: DemoIdentity, user: DemoUser, forms: ProfileForms): SafeHtml {
  const { kind, appid, openid, unionid, linkedAt } = identity;
  const current = appid === user.appid && openid === user.openid;
  // A WeCom identity is a person of a corp: its corpid, and a member's userid.
  const [appidLabel, openidLabel] = kind === 'wecom' ? ['corpid', 'userid'] : ['appid', 'openid'];
  return html`<div
    class="identity"
    data-app="${kind}"
    data-appid="${appid}"
    data-openid="${openid}"
  >
    <dl>
      <dt>app</dt>
      <dd class="kind">${APP_LABELS[kind] ?? kind}</dd>
      <dt>${appidLabel}</dt>
      <dd class="appid">${appid}</dd>
      <dt>${openidLabel}</dt>
      <dd class="openid">${openid}</dd>
      ${
        kind === 'wecom'
          ? ''
          : html`<dt>unionid</dt>
              <dd class="unionid">${unionid ?? '—'}</dd>`
      }
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
  /** Whose errcode it is. @default 'WeChat' */
  service?: 'WeChat' | 'WeCom';
  retryPath: string;
}

export function errorPage(view: ErrorView): string {
  const body = html`<div class="card error">
    <h1 id="error-title">${view.title}</h1>
    <p class="lead" id="error-reason">${view.reason}</p>
    ${view.errcode !== undefined ? html`<p class="errcode" id="errcode">${view.service ?? 'WeChat'} errcode ${view.errcode}${view.errmsg ? `: ${view.errmsg}` : ''}</p>` : ''}
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
