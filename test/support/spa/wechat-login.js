// The SPA's side of a WeChat login handed over by the API (see nest-wx-oauth's README, "Front ends on other origins").

/** Sends the browser through the API's WeChat login; it comes back to `returnTo` with a one-time code, or why it failed. */
export function loginWithWeChat(api, returnTo = location.href) {
  location.assign(`${api}/auth/wechat?returnTo=${encodeURIComponent(returnTo)}`);
}

/** A failed WeChat login; `kind` is the API's: 'denied' when the person said no, 'invalid_state', 'timeout', ... */
export class WeChatLoginError extends Error {
  constructor(kind) {
    super(`WeChat login failed: ${kind}`);
    this.kind = kind;
  }
}

/**
 * After the login: the API's answer (its token and user), or null when the page is not back from
 * one. A failed login throws a WeChatLoginError.
 */
export async function finishWeChatLogin(api) {
  const url = new URL(location.href);
  const code = url.searchParams.get('wx_handoff');
  const error = url.searchParams.get('wx_error');
  if (!code && !error) return null;
  // Out of the address bar and history: the code is single-use, and a reload must not replay the outcome.
  url.searchParams.delete('wx_handoff');
  url.searchParams.delete('wx_error');
  // WeChat's authorize URL ends in #wechat_redirect, which the browser carries through the redirects back here.
  if (url.hash === '#wechat_redirect') url.hash = '';
  history.replaceState(history.state, '', url);
  if (error) throw new WeChatLoginError(error);
  const res = await fetch(`${api}/auth/wechat/handoff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body = await res.json();
  if (!res.ok) throw new WeChatLoginError(body.kind); // invalid_handoff: spent, expired or another origin's
  return body;
}
