import type { DemoOptions } from '../demo.constants.js';
import { html, SafeHtml } from './html.js';
import { layout } from './layout.js';

/**
 * Stands in for a native app, against a sandbox: pick a test user, and the page does what
 * the app would: a state from the site, a code from WeChat's OpenSDK (the sandbox's
 * `/sandbox/app/` helpers), both posted to the site's login; the bearer token it answers
 * opens `/api/me`. With a multi-end app, the same through `wx.weixinAppLogin()`.
 */
export function appPage(
  settings: NonNullable<DemoOptions['appTry']>,
  banner: string | undefined,
): string {
  const data = new SafeHtml(JSON.stringify(settings).replace(/</g, '\\u003c'));
  const body = html`<div class="card">
    <h1 id="app-login">App login · 移动应用登录</h1>
    <p class="lead">
      A stand-in for the native app of mobile app ${settings.appid}: it asks this site for a state,
      WeChat's OpenSDK (here the sandbox) for a code, and logs in with both.
    </p>
    <p>
      <label
        >Test user
        <select id="app-user"></select
      ></label>
    </p>
    <p>
      <button class="button" id="app-login-opensdk">Log in with WeChat</button>
      ${
        settings.multiEndAppid
          ? html`<button class="button" id="app-login-multiend">
              Multi-end app: wx.weixinAppLogin()
            </button>`
          : ''
      }
      <button class="button secondary" id="app-me" disabled>GET /api/me</button>
    </p>
    <div id="app-result" hidden>
      <div class="who">
        <img class="avatar" id="app-avatar" alt="avatar" referrerpolicy="no-referrer" />
        <div>
          <h1 id="app-nickname"></h1>
          <span class="badge" id="app-linked"></span>
        </div>
      </div>
      <dl>
        <dt>appid</dt>
        <dd id="app-appid"></dd>
        <dt>openid</dt>
        <dd id="app-openid"></dd>
        <dt>unionid</dt>
        <dd id="app-unionid"></dd>
        <dt>openids</dt>
        <dd id="app-openids"></dd>
      </dl>
    </div>
    <pre id="app-output" class="output"></pre>
    <script type="application/json" id="app-settings">
      ${data}
    </script>
    <script src="/assets/app.js"></script>
  </div>`;
  return layout('App login', body, banner);
}
