import { Controller, Get, Header } from '@nestjs/common';
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
