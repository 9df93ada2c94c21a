import type {
  WxSandboxCorpInfo,
  WxSandboxMember,
  WxSandboxNonMember,
} from '../model/wecom-corps.js';
import { SANDBOX_TAG, colourFor, escapeHtml, initialOf, renderPage } from './page-shell.js';
import { qrCodeSvg } from './qr-code-svg.js';

/** Someone a WeCom page lists: a member, or someone who is not. */
export type WeComPagePerson = WxSandboxMember | WxSandboxNonMember;

export interface WeComAuthorizePageInput {
  corp: WxSandboxCorpInfo;
  appName: string;
  /** Whether the page asks consent to snsapi_privateinfo (agree/decline), else just picks who. */
  consent: boolean;
  /** The request's parameters, carried to the decide form as hidden fields. */
  params: ReadonlyArray<readonly [string, string]>;
  people: readonly WeComPagePerson[];
}

/**
 * What the WeCom client shows for an app's authorize link: the consent to
 * snsapi_privateinfo (同意 / 拒绝), or, for snsapi_base, who the client is signed in as.
 * The form GETs the sandbox's decide page; a real client knows who it is, the sandbox asks.
 */
export function weComAuthorizePage(input: WeComAuthorizePageInput): string {
  const { corp, appName, consent, params, people } = input;
  const hidden = params
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n        ');
  const buttons = consent
    ? `<button id="agree" type="submit" name="decision" value="agree" class="btn primary" data-en="Agree">同意</button>
          <button id="decline" type="submit" name="decision" value="decline" class="btn" data-en="Decline">拒绝</button>`
    : `<button id="continue" type="submit" name="decision" value="agree" class="btn primary" data-en="Continue">进入</button>`;
  return renderPage(
    `企业微信授权 - ${appName}`,
    `<main id="wecom-authorize" data-consent="${consent}">
      <header class="app">
        <div class="app-logo" style="background:${colourFor(appName)}" aria-hidden="true">${escapeHtml(initialOf(appName))}</div>
        <h1 id="app-name">${escapeHtml(appName)}</h1>
        <p class="brand">${escapeHtml(corp.name)} · 企业微信 · WeCom</p>
      </header>
      ${
        consent
          ? `<section class="ask">
        <h2>申请获取以下信息</h2>
        <p class="en">This app asks for</p>
        <p id="scope-text" class="scope">你的头像、性别、手机、邮箱等敏感信息</p>
        <p class="en scope-en">Your avatar, gender, mobile, email and other private info</p>
      </section>`
          : ''
      }
      <form method="get" action="${WECOM_DECIDE_PATH}">
        ${hidden}
        <p class="pick">选择企业微信账号 · Choose who is signed in</p>
        <ul class="users">${people.map(personItem).join('')}
        </ul>
        <div class="actions">
          ${buttons}
        </div>
      </form>
      ${SANDBOX_TAG}
    </main>`,
  );
}

/** Where the authorize page's form goes. */
export const WECOM_DECIDE_PATH = '/connect/sandbox/wecom/decide';

export interface WeComLoginPageInput {
  corp: WxSandboxCorpInfo;
  appName: string;
  /** The QR code's content, or `undefined` on the phone's page after a scan. */
  qrUrl: string | undefined;
  /** The URL a scan by this person goes to. */
  scanUrl(key: string): string;
  people: readonly WeComPagePerson[];
}

/**
 * The web login page (login.work.weixin.qq.com): a QR code for the WeCom app, and, as no
 * phone scans it here, `a.simulate-scan` per member and non-member. It sends no
 * X-Frame-Options, so a page may frame it as `ww.createWWLoginPanel` does; a scan then takes
 * the whole window back to the app, not the frame.
 */
export function weComLoginPage(input: WeComLoginPageInput): string {
  const { corp, appName, qrUrl, scanUrl, people } = input;
  const links = people
    .map(
      (person) =>
        `<li><a class="simulate-scan" data-user="${escapeHtml(person.key)}" href="${escapeHtml(scanUrl(person.key))}" target="_top">${escapeHtml(nameOf(person))} <span class="key">${escapeHtml(person.key)}${describe(person)}</span></a></li>`,
    )
    .join('\n          ');
  return renderPage(
    `企业微信登录 - ${appName}`,
    `<main id="wecom-login" class="qr-page">
      <h1>企业微信登录</h1>
      <p class="en">Log in with WeCom</p>
      ${qrUrl === undefined ? '' : `<div class="qr-frame">${qrCodeSvg(qrUrl, '企业微信登录二维码 / WeCom login QR code')}</div>`}
      <div class="qr-status">
        <p>${qrUrl === undefined ? '确认登录身份' : '请使用企业微信扫码登录'}</p>
        <p class="app-name">“${escapeHtml(appName)}” · ${escapeHtml(corp.name)}</p>
        <p class="en">Scan with WeCom to log in to ${escapeHtml(appName)}</p>
      </div>
      <div class="actions">
        <p class="en">模拟扫码 · Simulate a scan by</p>
        <ul class="users scanners">
          ${links}
        </ul>
      </div>
      ${SANDBOX_TAG}
    </main>`,
  );
}

export interface WeComErrorPageInput {
  errcode?: number;
  message: string;
}

/** WeCom answers a bad login or authorize link with its error page, never a redirect. */
export function weComErrorPage(error: WeComErrorPageInput): string {
  const code = error.errcode === undefined ? '' : ` data-errcode="${error.errcode}"`;
  return renderPage(
    '企业微信',
    `<main id="wecom-error" class="error-page"${code}>
      <div class="error-icon" aria-hidden="true">!</div>
      <h1>${escapeHtml(error.message)}</h1>
      ${error.errcode === undefined ? '' : `<p class="errcode">错误码：${error.errcode} · Error code ${error.errcode}</p>`}
      <p class="hint">请联系应用管理员<br><span class="en">Contact the app's administrator</span></p>
      ${SANDBOX_TAG}
    </main>`,
  );
}

function personItem(person: WeComPagePerson, index: number): string {
  const key = escapeHtml(person.key);
  return `
          <li><label>
            <input type="radio" name="user" value="${key}" data-user="${key}"${index === 0 ? ' checked' : ''}>
            ${avatarOf(person)}
            <span class="who">
              <span class="nickname">${escapeHtml(nameOf(person))}</span>
              <span class="key">${key}${describe(person)}</span>
            </span>
          </label></li>`;
}

function nameOf(person: WeComPagePerson): string {
  return person.name;
}

/** How the pages tell a member from someone who is not. */
function describe(person: WeComPagePerson): string {
  if ('userid' in person) return ` · ${escapeHtml(person.userid)}`;
  return person.externalUserid === undefined
    ? ' · 非企业成员 / not a member'
    : ' · 外部联系人 / external contact';
}

function avatarOf(person: WeComPagePerson): string {
  const avatar = 'avatar' in person ? person.avatar : '';
  if (!avatar)
    return `<span class="avatar blank" aria-hidden="true">${escapeHtml(initialOf(person.name))}</span>`;
  return `<img class="avatar" src="${escapeHtml(avatar)}" alt="" width="44" height="44">`;
}
