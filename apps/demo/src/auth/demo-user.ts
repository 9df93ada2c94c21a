import type { WxIdentity, WxProfile } from 'nest-wx-oauth';

/**
 * What a session holds: the demo user, and the WeChat login that started the
 * session. The person's details and identities are read from the database.
 */
export interface DemoLogin {
  /** The demo user's id (`demo_users.id`). */
  id: string;
  /** The app this session logged in through, and its openid. */
  appid: string;
  openid: string;
  unionid?: string;
  /** As the login brought it, for the greeting. */
  nickname?: string;
  scope: string[];
}

/** One of the person's WeChat identities: an openid of one app, linked at `linkedAt`. */
export type DemoIdentity = Omit<WxIdentity, 'userId'>;

/**
 * A demo user as `/profile` and `/api/me` show it: one person, whichever app
 * they logged in through, with every identity (linked by unionid when WeChat
 * gives one), seen through this session's login.
 */
export interface DemoUser extends DemoLogin {
  headimgurl?: string;
  /** The number shared through the mini-program's button, kept across logins. */
  phoneNumber?: string;
  createdAt: Date;
  identities: DemoIdentity[];
}

export function toDemoLogin(userId: string, profile: WxProfile): DemoLogin {
  const { appid, openid, unionid, nickname, scope } = profile;
  return {
    id: userId,
    appid,
    openid,
    ...(unionid ? { unionid } : {}),
    ...(nickname !== undefined ? { nickname } : {}),
    scope,
  };
}
