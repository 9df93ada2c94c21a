import { createHash } from 'node:crypto';
import { avatarUrl } from '../handlers/avatar.js';
import { DEFAULT_OPEN_PLATFORM } from './sandbox-apps.js';
import type { WxSandboxUser, WxSandboxUserSeed } from '../wx-sandbox.types.js';

/** The built-in users: one plain, one with an emoji nickname, one without an avatar, one snapshot user. */
export const DEFAULT_SANDBOX_USERS: readonly WxSandboxUserSeed[] = [
  { key: 'alice', nickname: 'Alice' },
  { key: 'bob', nickname: '小明 🐼' },
  { key: 'carol', nickname: 'Carol', headimgurl: '' },
  // WeChat's virtual snapshot-page users are anonymised like this.
  { key: 'snap', nickname: '微信用户', snapshot: true },
];

/**
 * Fills in what a seed leaves out; derived ids are stable for the same appid (openid)
 * or Open Platform account (unionid) and key. Default avatars live on the sandbox,
 * under `publicUrl`, so this runs once it listens.
 */
export function buildSandboxUsers(
  appid: string,
  seeds: readonly WxSandboxUserSeed[],
  publicUrl: string,
  openPlatform: string = DEFAULT_OPEN_PLATFORM,
): WxSandboxUser[] {
  if (seeds.length === 0) throw new Error('WxSandbox: users must not be empty');
  const seen = new Set<string>();
  return seeds.map((seed) => {
    if (!seed.key) throw new Error('WxSandbox: every user needs a key');
    if (seen.has(seed.key)) throw new Error(`WxSandbox: duplicate user key '${seed.key}'`);
    seen.add(seed.key);
    const user: WxSandboxUser = {
      key: seed.key,
      openid: seed.openid ?? wxLikeId(`${appid}:${seed.key}`),
      unionid: seed.unionid ?? wxLikeId(`${openPlatform}:${seed.key}`),
      nickname: seed.nickname,
      headimgurl: seed.headimgurl ?? avatarUrl(publicUrl, seed.key),
    };
    if (seed.snapshot) user.snapshot = true;
    return user;
  });
}

/** 28 chars starting with 'o', the shape of real openids and unionids. */
function wxLikeId(seed: string): string {
  return `o${createHash('sha256').update(seed).digest('base64url').slice(0, 27)}`;
}
