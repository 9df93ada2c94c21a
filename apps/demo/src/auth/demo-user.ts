import type { WxAppKind, WxProfile } from 'nest-wx-oauth';

/** One of a person's openids: one per WeChat app they logged in through. */
export interface DemoOpenid {
  /** Which of the site's WeChat apps the login went through. */
  app: WxAppKind;
  appid: string;
  openid: string;
}

/**
 * A demo user: one person, whichever app they logged in through. Linked by
 * unionid when WeChat gives one (both apps bound to one Open Platform account),
 * else one user per app and openid.
 */
export interface DemoUser {
  id: string;
  /** The app and openid of this session's login. */
  appid: string;
  openid: string;
  unionid?: string;
  nickname?: string;
  headimgurl?: string;
  scope: string[];
  isSnapshotUser: boolean;
  /** The number shared through the mini-program's button, once. */
  phoneNumber?: string;
  /** Every app this person has logged in through, with its openid. */
  openids: DemoOpenid[];
}

export function toDemoUser(profile: WxProfile): DemoUser {
  const { appid, openid, unionid, nickname, headimgurl, scope, isSnapshotUser } = profile;
  const phoneNumber = profile.via === 'miniProgram' ? profile.phoneNumber : undefined;
  return {
    id: unionid ?? `${appid}:${openid}`,
    appid,
    openid,
    ...(unionid ? { unionid } : {}),
    ...(nickname !== undefined ? { nickname, headimgurl } : {}),
    scope,
    isSnapshotUser,
    ...(phoneNumber ? { phoneNumber } : {}),
    openids: [{ app: appOf(profile), appid, openid }],
  };
}

function appOf(profile: WxProfile): WxAppKind {
  if (profile.via === 'miniProgram') return 'miniProgram';
  // A multi-end app's login gives its mobile app's openid: the same openid, the same app.
  if (profile.via === 'mobileApp') return 'mobileApp';
  return profile.scope.includes('snsapi_login') ? 'website' : 'officialAccount';
}
