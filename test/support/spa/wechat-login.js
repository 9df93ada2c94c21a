// The SPA's side of a WeChat login handed over by the API (see nest-wx-oauth's README, "Front ends on other origins").

/** Sends the browser through the API's WeChat login; it comes back to `returnTo` with a one-time code. */
export function loginWithWeChat(api, returnTo = location.href) {
  location.assign(`${api}/auth/wechat?returnTo=${encodeURIComponent(returnTo)}`);
}

/** After the login: exchanges the code for the API's answer (its token and user), or null when there is no code. */
export async function finishWeChatLogin(api) {
  const url = new URL(location.href);
  const code = url.searchParams.get('wx_handoff');
  if (!code) return null;
  // Out of the address bar and history: the code is single-use, and useless once exchanged.
  url.searchParams.delete('wx_handoff');
  // WeChat's authorize URL ends in #wechat_redirect, which the browser carries through the redirects back here.
  if (url.hash === '#wechat_redirect') url.hash = '';
  history.replaceState(history.state, '', url);
  const res = await fetch(`${api}/auth/wechat/handoff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw new Error(`WeChat login failed: ${res.status}`);
  return res.json();
}
