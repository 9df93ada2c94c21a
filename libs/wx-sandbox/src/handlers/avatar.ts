import { colourFor, escapeHtml, initialOf } from '../pages/page-shell.js';
import type { SandboxResponse } from './sandbox-response.js';
import type { WxSandboxUser } from '../wx-sandbox.types.js';

const AVATAR_PREFIX = '/sandbox/avatar/';
const AVATAR_SUFFIX = '.svg';

/** A user's default `headimgurl`: served by the sandbox itself, so it loads without internet. */
export function avatarUrl(publicUrl: string, key: string): string {
  return `${publicUrl}${AVATAR_PREFIX}${encodeURIComponent(key)}${AVATAR_SUFFIX}`;
}

/** The user key in an avatar path, or `undefined` when the path is no avatar's. */
export function avatarKey(pathname: string): string | undefined {
  if (!pathname.startsWith(AVATAR_PREFIX) || !pathname.endsWith(AVATAR_SUFFIX)) return undefined;
  try {
    return (
      decodeURIComponent(pathname.slice(AVATAR_PREFIX.length, -AVATAR_SUFFIX.length)) || undefined
    );
  } catch {
    return undefined;
  }
}

/** Square like WeChat's 132px avatars: the nickname's initial on a colour picked by the key. */
export function avatarSvg(user: Pick<WxSandboxUser, 'key' | 'nickname'>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132">
  <rect width="132" height="132" fill="${colourFor(user.key)}"/>
  <text x="66" y="66" dy=".35em" text-anchor="middle" fill="#fff" font-size="60" font-family="-apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif">${escapeHtml(initialOf(user.nickname))}</text>
</svg>
`;
}

export function avatarResponse(user: Pick<WxSandboxUser, 'key' | 'nickname'>): SandboxResponse {
  // no-cache: a later sandbox on the same port may give the same key another nickname.
  return {
    status: 200,
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'no-cache' },
    body: avatarSvg(user),
  };
}
