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
}
