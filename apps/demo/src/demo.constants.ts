/** The demo's own options (session), as a provider token. */
export const DEMO_OPTIONS = 'DEMO:OPTIONS';
export const SESSION_COOKIE = 'demo_session';
/** Where WeChat serves its scripts, wxLogin.js among them. */
export const WX_SCRIPT_ORIGIN = 'https://res.wx.qq.com';
/** Where WeChat serves wxLogin.js, below its script host. */
export const WX_LOGIN_JS_PATH = '/connect/zh_CN/htmledition/js/wxLogin.js';

export interface DemoOptions {
  secureCookies: boolean;
  /** Shown in the header: where WeChat is for this run. */
  banner?: string;
  /** WeChat's wxLogin.js, or the sandbox's, for the QR code inside the login page. */
  wxLoginJsUrl: string;
  /** The page that stands in for a mini-program: a sandbox's mini-program, where the browser reaches it. */
  miniProgramTry?: { appid: string; sandboxUrl: string };
  /** The page that stands in for the native app: a sandbox's mobile app, and its multi-end app if any, where the browser reaches it. */
  appTry?: { appid: string; sandboxUrl: string; multiEndAppid?: string };
  /** The logins the home page offers: WeChat's with a WeChat app in a browser, WeCom's with a WeCom app. */
  logins: { wechat: boolean; wecom: boolean };
  /** The SaaS on a third-party platform, when on: where WeChat's authorisation page returns. */
  saas?: { authorizationReturnUrl: string };
}
