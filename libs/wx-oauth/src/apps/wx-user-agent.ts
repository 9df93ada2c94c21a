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

/**
 * Whether a request comes from the WeCom (企业微信) client's browser: its
 * User-Agent says `wxwork` (and `MicroMessenger` too, so test this first).
 * There the WeCom login opens its authorize page; anywhere else its web login page.
 *
 * @publicApi
 */
export function isWeComBrowser(userAgent: string | undefined): boolean {
  return /\bwxwork\//i.test(userAgent ?? '');
}
