import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { WX_SCRIPT_ORIGIN } from './demo.constants.js';

/** Where real WeChat serves the QR frame of wxLogin.js, and users' avatars (WeCom members' too). */
const WECHAT = {
  frames: ['https://open.weixin.qq.com'],
  images: [
    'https://thirdwx.qlogo.cn',
    'https://wx.qlogo.cn',
    'https://mp.weixin.qq.com',
    'https://wework.qpic.cn',
  ],
};

/**
 * The headers Nest's documentation recommends (helmet), with a Content-Security-Policy that
 * lets the login page load wxLogin.js and WeChat's QR frame, from WeChat or from the sandbox
 * (`wxLoginJsUrl`'s origin), the mini-program and native app stand-in pages reach the
 * sandbox, and nothing else from elsewhere; no page of the demo may be framed
 * by another site (the QR login page would otherwise be open to clickjacking).
 */
export function securityHeaders(wxLoginJsUrl: string): RequestHandler {
  const scripts = new URL(wxLoginJsUrl).origin;
  const sandbox = scripts !== WX_SCRIPT_ORIGIN;
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", scripts],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(sandbox ? [scripts] : WECHAT.images)],
        frameSrc: sandbox ? [scripts] : WECHAT.frames,
        // The stand-in pages ask the sandbox for codes: wx.login()'s, the OpenSDK's, wx.weixinAppLogin()'s.
        connectSrc: ["'self'", ...(sandbox ? [scripts] : [])],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // The demo and the sandbox run on plain http on a developer's machine.
        upgradeInsecureRequests: null,
      },
    },
    frameguard: { action: 'deny' },
  });
}
