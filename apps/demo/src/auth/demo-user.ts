import type { WxProfile } from 'nest-wx-oauth';

/** What the demo keeps of a WeChat user in its session cookie: the profile without WeChat's raw fields. */
export type DemoUser = Omit<WxProfile, 'provider' | 'raw'>;

export function toDemoUser({ provider: _provider, raw: _raw, ...user }: WxProfile): DemoUser {
  return user;
}
