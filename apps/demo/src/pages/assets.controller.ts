import { Controller, Get, Header } from '@nestjs/common';
import { APP_SCRIPT } from './app-script.js';
import { STYLE } from './layout.js';

/**
 * The demo's stylesheet and its one script, as files of the site rather than inline, so that
 * the Content-Security-Policy allows scripts and styles from this origin only.
 */
@Controller('assets')
export class AssetsController {
  @Get('demo.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  style(): string {
    return STYLE;
  }

  /** Shows WeChat's QR code in the login page with the settings the page carries as JSON data. */
  @Get('login.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  loginScript(): string {
    return "new WxLogin(JSON.parse(document.getElementById('wx-settings').textContent));\n";
  }

  /** The follow login page: shows the code, polls its status, opens the login once scanned. */
  @Get('follow-login.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  followLoginScript(): string {
    return FOLLOW_LOGIN_SCRIPT;
  }

  /** The mini-program stand-in: codes from the sandbox, the login, then /api/me with its token. */
  @Get('mini-program.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  miniProgramScript(): string {
    return MINI_PROGRAM_SCRIPT;
  }

  /** The native app stand-in: a state, the OpenSDK's code from the sandbox, the login, then /api/me. */
  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  appScript(): string {
    return APP_SCRIPT;
  }
}

const FOLLOW_LOGIN_SCRIPT = `(async () => {
  const img = document.getElementById('follow-qr');
  const status = document.getElementById('follow-status');
  const returnTo = status.dataset.returnTo;
  const show = async () => {
    const qr = await (await fetch('/auth/wechat/follow', { method: 'POST' })).json();
    img.src = qr.imageUrl;
  };
  await show();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { status: now } = await (await fetch('/auth/wechat/follow/status')).json();
    if (now === 'scanned') {
      status.textContent = 'Scanned: logging in…';
      location.href = '/auth/wechat/follow/done' + (returnTo ? '?returnTo=' + encodeURIComponent(returnTo) : '');
      return;
    }
    if (now === 'expired') await show();
  }
})();
`;

const MINI_PROGRAM_SCRIPT = `(async () => {
  const settings = JSON.parse(document.getElementById('mp-settings').textContent);
  const user = document.getElementById('mp-user');
  const output = document.getElementById('mp-output');
  const me = document.getElementById('mp-me');
  const show = (title, value) => {
    output.textContent += title + '\\n' + JSON.stringify(value, null, 2) + '\\n\\n';
  };
  const post = async (url, body, headers = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  // The sandbox stands in for WeChat inside the mini-program: it mints the codes wx.login() and the phone button give.
  const mint = async (what) =>
    (await post(settings.sandboxUrl + '/sandbox/miniprogram/' + what, { appid: settings.appid, user: user.value })).body.code;
  const users = await (await fetch(settings.sandboxUrl + '/sandbox/miniprogram/users?appid=' + encodeURIComponent(settings.appid))).json();
  for (const { key, nickname } of users) user.add(new Option(nickname + ' (' + key + ')', key));
  let token;
  document.getElementById('mp-login').addEventListener('click', async () => {
    output.textContent = '';
    const body = { code: await mint('login') };
    show('wx.login()', { code: body.code });
    if (document.getElementById('mp-phone').checked) {
      body.phoneCode = await mint('phone-code');
      show('getPhoneNumber', { code: body.phoneCode });
    }
    const login = await post('/auth/wechat/miniprogram', body);
    show('POST /auth/wechat/miniprogram: ' + login.status, login.body);
    token = login.body.token;
    me.disabled = !token;
  });
  me.addEventListener('click', async () => {
    const response = await fetch('/api/me', { headers: { authorization: 'Bearer ' + token } });
    show('GET /api/me: ' + response.status, await response.json());
  });
})();
`;
