/**
 * Inside WeChat's in-app browser (its User-Agent says MicroMessenger) the
 * official-account login works; anywhere else only the website QR login does.
 */
export function loginPathFor(userAgent: string | undefined, returnTo?: string): string {
  const path = /MicroMessenger/i.test(userAgent ?? '') ? '/auth/wechat/mp' : '/auth/wechat/qr';
  return returnTo ? `${path}?returnTo=${encodeURIComponent(returnTo)}` : path;
}
