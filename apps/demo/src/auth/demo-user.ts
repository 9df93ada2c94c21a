import type { WxProfile } from 'nest-wx-oauth';

/** What the demo keeps of a WeChat user in its session cookie. */
export interface DemoUser {
  id: string;
  openid: string;
  unionid?: string;
  nickname?: string;
  headimgurl?: string;
  scope: string[];
  isSnapshotUser: boolean;
}

export function toDemoUser(profile: WxProfile): DemoUser {
  const { id, openid, unionid, nickname, headimgurl, scope, isSnapshotUser } = profile;
  return { id, openid, unionid, nickname, headimgurl, scope, isSnapshotUser };
}
