import type { WxIdentity, WxProfile, WxWeComProfile } from 'nest-wx-oauth';

/**
 * What a session holds: the demo user, and the login that started the
 * session. The person's details and identities are read from the database.
 */
export interface DemoLogin {
  /** The demo user's id (`demo_users.id`). */
  id: string;
  /**
   * The identity this session logged in through, as `WxIdentities` keys it: a WeChat app's
   * appid and openid, or a WeCom corp's corpid and member's userid.
   */
  appid: string;
  openid: string;
  unionid?: string;
  /** As the login brought it, for the greeting. */
  nickname?: string;
  /** The WeChat scopes granted; none for WeCom. */
  scope: string[];
  /** A WeCom login's own: the corp, its app, the member, and what they shared in this login. */
  wecom?: DemoWeComLogin;
}

/** A WeCom (企业微信) login: a member of a corp, with the details they agreed to share, if any. */
export interface DemoWeComLogin {
  corpid: string;
  agentid: string;
  /** The member's userid; none for someone who is not a member. */
  userid?: string;
  /**
   * What WeCom gave after the member's consent (`snsapi_privateinfo` inside the WeCom client),
   * each field only when the member has it; absent when the login brought the userid alone.
   */
  details?: DemoWeComDetails;
}

export interface DemoWeComDetails {
  name?: string;
  avatar?: string;
  mobile?: string;
  email?: string;
  bizMail?: string;
  gender?: 'male' | 'female';
}

/** One of the person's identities: an openid of one WeChat app, or a userid in a WeCom corp, linked at `linkedAt`. */
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
  if (profile.via === 'wecom') return weComLogin(userId, profile);
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

/** The details a WeCom member shared, if any: consent gives at least one of them. */
export function weComDetails(profile: WxWeComProfile): DemoWeComDetails | undefined {
  if (!profile.member) return undefined;
  const { name, avatar, mobile, email, bizMail, gender } = profile;
  const details = { name, avatar, mobile, email, bizMail, gender };
  const given = Object.entries(details).filter(([, value]) => value !== undefined);
  return given.length ? (Object.fromEntries(given) as DemoWeComDetails) : undefined;
}

function weComLogin(userId: string, profile: WxWeComProfile): DemoLogin {
  const { corpid, agentid } = profile;
  const details = weComDetails(profile);
  return {
    id: userId,
    appid: corpid,
    openid: weComKey(profile),
    ...(details?.name !== undefined ? { nickname: details.name } : {}),
    scope: [],
    wecom: {
      corpid,
      agentid,
      ...(profile.member ? { userid: profile.userid } : {}),
      ...(details ? { details } : {}),
    },
  };
}

/**
 * The person's key in the corp, as `WxIdentities` keys it: a member's userid; for someone who is
 * not a member, their openid or external_userid, prefixed so that it is never a userid.
 */
function weComKey(profile: WxWeComProfile): string {
  if (profile.member) return profile.userid;
  return profile.openid ? `openid:${profile.openid}` : `external:${profile.externalUserid}`;
}
