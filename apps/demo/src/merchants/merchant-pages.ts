import type { WxComponentLinks } from 'nest-wx-oauth';
import { qrCodeSvg } from 'nest-wx-oauth/testing';
import type { DemoUser } from '../auth/demo-user.js';
import type { DemoMerchantEntity } from '../database/demo-merchant.entity.js';
import { html, SafeHtml } from '../pages/html.js';
import { layout } from '../pages/layout.js';
import { merchantPath } from './merchant-path.js';

const STATUS_LABELS = { connected: 'connected · 已授权', revoked: 'revoked · 已取消授权' };

function status(merchant: DemoMerchantEntity): SafeHtml {
  return html`<span class="badge status-${merchant.status}" data-status="${merchant.status}"
    >${STATUS_LABELS[merchant.status]}</span
  >`;
}

/** The SaaS's admin page: its merchants, and the way to connect another official account. */
export function merchantsPage(
  merchants: DemoMerchantEntity[],
  banner: string | undefined,
  connected?: DemoMerchantEntity,
): string {
  const body = html`<div class="card">
    <h1 id="merchants">Your merchants · 商户</h1>
    <p class="lead">
      A merchant authorises this platform once; its customers then log in with WeChat at its own
      address, through the platform, with no secret of the merchant's here.
    </p>
    ${
      connected
        ? html`<p class="notice ok" id="connected" role="status">
            ${connected.name} (${connected.appid}) is connected.
          </p>`
        : ''
    }
    <a class="button" id="connect" href="/admin/merchants/connect"
      >Connect your official account · 授权公众号</a
    >
    <div id="merchant-list">
      ${
        merchants.length
          ? merchants.map(
              (merchant) =>
                html`<div
                  class="identity merchant"
                  data-appid="${merchant.appid}"
                  data-id="${merchant.id}"
                >
                  <dl>
                    <dt>name</dt>
                    <dd class="name">${merchant.name}</dd>
                    <dt>appid</dt>
                    <dd class="appid">${merchant.appid}</dd>
                    <dt>status</dt>
                    <dd class="status">${status(merchant)}</dd>
                    <dt>login</dt>
                    <dd>
                      <a class="address" href="${merchantPath(merchant.id)}"
                        >${merchantPath(merchant.id)}</a
                      >
                    </dd>
                  </dl>
                </div>`,
            )
          : html`<p class="errcode" id="no-merchants">No merchant has connected yet.</p>`
      }
    </div>
  </div>`;
  return layout('Merchants', body, banner);
}

/**
 * The merchant's way to WeChat's authorisation page: on a computer, a link from this page
 * (WeChat checks that it comes from the platform's domain: the link sends this origin as its
 * Referer); on a phone, the link inside WeChat, as a QR code.
 */
export function connectPage(links: WxComponentLinks, banner: string | undefined): string {
  const minutes = Math.floor(links.expiresIn / 60);
  const body = html`<div class="card">
    <h1 id="connect-account">Connect your official account · 授权公众号</h1>
    <p class="lead">
      You are taken to WeChat, where the account's administrator picks the account and confirms.
      These links work once, for ${minutes} minutes.
    </p>
    <a class="button" id="authorize-pc" href="${links.pc}" referrerpolicy="origin"
      >Authorise on WeChat's page</a
    >
    <p>Or scan with WeChat, as the account's administrator:</p>
    <div class="qr">${new SafeHtml(qrCodeSvg(links.mobile, 'the authorisation link'))}</div>
    <p><a class="button secondary" href="/admin/merchants">Back to the merchants</a></p>
  </div>`;
  return layout('Connect your official account', body, banner);
}

/** A merchant's home: its name, and its customers' login, unless it revoked its authorisation. */
export function merchantHomePage(
  merchant: DemoMerchantEntity,
  loggedIn: boolean,
  returnTo: string,
  banner: string | undefined,
): string {
  const login = `${merchantPath(merchant.id, '/auth/wechat')}?returnTo=${encodeURIComponent(returnTo)}`;
  const body = html`<div class="card">
    <h1 id="merchant-name">${merchant.name}</h1>
    <p class="lead">
      A shop served by the demo's SaaS, official account
      <span id="merchant-appid">${merchant.appid}</span>. ${status(merchant)}
    </p>
    ${
      merchant.status === 'revoked'
        ? html`<p class="notice" id="revoked" role="alert">
            This shop's official account has revoked its authorisation: its customers cannot log in
            here until it connects again.
          </p>`
        : loggedIn
          ? html`<a
              class="button"
              id="merchant-profile"
              href="${merchantPath(merchant.id, '/profile')}"
              >Your profile at ${merchant.name}</a
            >`
          : html`<a class="button" id="merchant-login" href="${login}"
              >Log in with WeChat · 微信登录</a
            >`
    }
  </div>`;
  return layout(merchant.name, body, banner);
}

/** A merchant's customer, logged in through the platform on the merchant's behalf. */
export function merchantProfilePage(
  merchant: DemoMerchantEntity,
  user: DemoUser,
  banner: string | undefined,
): string {
  const body = html`<div class="card">
    <p class="errcode">
      Customer of <strong id="merchant-name">${merchant.name}</strong> · official account
      <span id="merchant-appid">${merchant.appid}</span> ${status(merchant)}
    </p>
    <div class="who">
      ${
        user.headimgurl
          ? html`<img
              class="avatar"
              src="${user.headimgurl}"
              alt="avatar"
              referrerpolicy="no-referrer"
            />`
          : html`<div class="avatar" aria-label="no avatar">${[...(user.nickname ?? '?')][0]}</div>`
      }
      <div>
        <h1 id="nickname">${user.nickname ?? '(no nickname: snsapi_base)'}</h1>
      </div>
    </div>
    <dl>
      <dt>appid</dt>
      <dd id="appid">${user.appid}</dd>
      <dt>openid</dt>
      <dd id="openid">${user.openid}</dd>
      <dt>scope</dt>
      <dd id="scope">${user.scope.join(', ')}</dd>
      <dt>user</dt>
      <dd id="user-id">${user.id}</dd>
    </dl>
    <a class="button secondary" id="logout" href="/logout">Log out</a>
  </div>`;
  return layout(`Profile at ${merchant.name}`, body, banner);
}
