import type { SandboxAppUsers } from '../model/sandbox-app-users.js';
import type { SandboxFollowers } from '../model/sandbox-followers.js';
import { QR_URL_PREFIX, type SandboxQrCodes } from '../model/sandbox-qr-codes.js';
import { errorPage } from '../pages/error-page.js';
import { followQrPage } from '../pages/follow-qr-page.js';
import { qrCodeSvg } from '../pages/qr-code-svg.js';
import { scanResultPage } from '../pages/scan-result-page.js';
import { MESSAGE_PUSH_CONSOLE_PATH } from './message-push-console.js';
import { htmlPage, plainText, type SandboxResponse } from './sandbox-response.js';
import type { WxSandboxPushResult } from '../wx-sandbox.types.js';

export interface FollowQrContext {
  apps: SandboxAppUsers;
  qrCodes: SandboxQrCodes;
  followers: SandboxFollowers;
  publicUrl: string;
}

/** `showqrcode`: on mp.weixin.qq.com at WeChat, on the sandbox's own base URL here. */
export const SHOW_QRCODE_PATH = '/cgi-bin/showqrcode';
/** Where the scan page posts the chosen user: a sandbox route, standing in for the phone. */
export const FOLLOW_SCAN_PATH = '/sandbox/qrcode/scan';

/** The code id in a QR URL's path, or `undefined` when the path is no QR code's. */
export function qrCodeId(pathname: string): string | undefined {
  if (!pathname.startsWith(QR_URL_PREFIX)) return undefined;
  const id = pathname.slice(QR_URL_PREFIX.length);
  return /^[A-Za-z0-9]+$/.test(id) ? id : undefined;
}

/** The code as an image (SVG here, a JPEG at WeChat) of its `url`; 404 once it has expired. */
export function handleShowQrcode(
  query: URLSearchParams,
  context: FollowQrContext,
): SandboxResponse {
  const code = context.qrCodes.byTicketLive(query.get('ticket') ?? '');
  if (!code) return plainText(404, 'Not Found');
  return {
    status: 200,
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' },
    body: qrCodeSvg(`${context.publicUrl}${QR_URL_PREFIX}${code.id}`, '二维码 / QR code'),
  };
}

/** The page at a code's URL: the code, and the test users who can scan it. */
export function handleFollowQrPage(id: string, context: FollowQrContext): SandboxResponse {
  const code = context.qrCodes.byIdLive(id);
  if (!code)
    return htmlPage(404, errorPage({ message: '二维码已过期 · This QR code has expired' }));
  const app = context.apps.app(code.appid);
  return htmlPage(
    200,
    followQrPage({
      appName: app?.name ?? '',
      url: `${context.publicUrl}${QR_URL_PREFIX}${code.id}`,
      id: code.id,
      users: context.apps.usersOf(code.appid).map((user) => ({
        key: user.key,
        nickname: user.nickname,
        following: context.followers.get(code.appid, user.key) !== undefined,
      })),
      scanPath: FOLLOW_SCAN_PATH,
    }),
  );
}

/**
 * The scan page's form: scans the code as the chosen user, as `WxSandbox.scan` does,
 * and shows what WeChat pushed and how the app answered.
 */
export async function handleFollowScan(
  method: string,
  body: string,
  context: FollowQrContext & {
    scan(ticket: string, userKey: string): Promise<WxSandboxPushResult>;
  },
): Promise<SandboxResponse> {
  if (method !== 'POST') return plainText(405, 'Method Not Allowed');
  const form = new URLSearchParams(body);
  const code = context.qrCodes.byIdLive(form.get('qr') ?? '');
  if (!code)
    return htmlPage(404, errorPage({ message: '二维码已过期 · This QR code has expired' }));
  const userKey = form.get('user') ?? '';
  if (!context.apps.user(code.appid, userKey)) {
    return htmlPage(400, errorPage({ message: '未知的测试用户' }));
  }
  const result = await context.scan(code.ticket, userKey);
  const appName = context.apps.app(code.appid)?.name ?? '';
  const consoleUrl = `${MESSAGE_PUSH_CONSOLE_PATH}?appid=${encodeURIComponent(code.appid)}`;
  return htmlPage(200, scanResultPage({ appName, userKey, result, consoleUrl }));
}
