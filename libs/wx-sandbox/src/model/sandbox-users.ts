import { createHash } from 'node:crypto';
import { avatarUrl } from '../handlers/avatar.js';
import { DEFAULT_OPEN_PLATFORM } from './sandbox-apps.js';
import type { WxSandboxUser, WxSandboxUserSeed } from '../wx-sandbox.types.js';

/**
 * The built-in users: one plain, one with an emoji nickname, one without an avatar, one
 * snapshot user. The first three have distinct mainland mobile numbers; the anonymised
 * snapshot user has none, so the phone-number path has a user to fail with.
 */
export const DEFAULT_SANDBOX_USERS: readonly WxSandboxUserSeed[] = [
  { key: 'alice', nickname: 'Alice', phoneNumber: '13800138000' },
  { key: 'bob', nickname: '小明 🐼', phoneNumber: '13900139000' },
  { key: 'carol', nickname: 'Carol', headimgurl: '', phoneNumber: '13700137000' },
  // WeChat's virtual snapshot-page users are anonymised like this.
  { key: 'snap', nickname: '微信用户', snapshot: true },
];

/** The country code of a number seeded without one: mainland China. */
export const DEFAULT_COUNTRY_CODE = '86';

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
    Object.assign(user, phoneOf(seed));
    return user;
  });
}

/** The seed's number and country code, checked; nothing for a seed without a number. */
function phoneOf(seed: WxSandboxUserSeed): Pick<WxSandboxUser, 'phoneNumber' | 'countryCode'> {
  if (seed.phoneNumber === undefined) {
    if (seed.countryCode !== undefined)
      throw new Error(`WxSandbox: user '${seed.key}' has a countryCode but no phoneNumber`);
    return {};
  }
  if (typeof seed.phoneNumber !== 'string' || !/^\d{5,15}$/.test(seed.phoneNumber)) {
    throw new Error(
      `WxSandbox: user '${seed.key}' needs a phoneNumber of 5 to 15 digits, without country code`,
    );
  }
  const countryCode = seed.countryCode ?? DEFAULT_COUNTRY_CODE;
  if (typeof countryCode !== 'string' || !/^[1-9]\d{0,3}$/.test(countryCode)) {
    throw new Error(`WxSandbox: user '${seed.key}' needs a countryCode of 1 to 4 digits`);
  }
  return { phoneNumber: seed.phoneNumber, countryCode };
}

/** 28 chars starting with 'o', the shape of real openids and unionids. */
function wxLikeId(seed: string): string {
  return `o${createHash('sha256').update(seed).digest('base64url').slice(0, 27)}`;
}
