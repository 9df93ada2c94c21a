/**
 * Whether a request comes from WeChat's own browser: its User-Agent says
 * `MicroMessenger`, on phones and in the desktop WeChat client alike. There the
 * official account's login opens; anywhere else only the website QR login does.
 *
 * @publicApi
 */
export function isWeChatBrowser(userAgent: string | undefined): boolean {
  return /MicroMessenger/i.test(userAgent ?? '');
}
