import type { WxAppKind } from '../apps/wx-app-kind.js';
import type { WxProfile, WxWeChatProfile } from '../profile/wx-profile.js';
import type { WxWeComProfile } from '../profile/wx-wecom-profile.js';

/**
 * One WeChat identity of one of the app's users: an openid of one WeChat app,
 * with the person's unionid when WeChat gave it. A person has one per app they
 * logged in through, and one unionid across the apps bound to one Open
 * Platform account. A WeCom identity (`kind: 'wecom'`) is a person of a corp:
 * `appid` is the corpid, `openid` a member's userid, or for a non-member
 * `openid:<openid>` (`external:<external_userid>` without one), which no
 * userid can be (userids have no ':'); it never has a unionid.
 *
 * @publicApi
 */
export interface WxIdentity {
  /** Which kind of WeChat app the openid is of; `'wecom'` for a WeCom corp's person. */
  kind: WxAppKind | 'wecom';
  /** The WeChat app's appid; a WeCom corp's corpid. */
  appid: string;
  /** The openid; a WeCom member's userid (see above for a non-member). */
  openid: string;
  /** Absent until a login of this identity brings one (`snsapi_base`, an unbound app, give none). */
  unionid?: string;
  /** The app's user, as the app's `createUser` answered it. */
  userId: string;
  linkedAt: Date;
}

/**
 * What `WxIdentities.resolve` answers: the app's user of a login.
 *
 * @publicApi
 */
export interface WxResolvedUser {
  userId: string;
  /** The app's `createUser` made this user during this login. */
  created: boolean;
  /** The login brought a unionid that another user already had (see `WxIdentityConflict`). */
  conflict?: WxIdentityConflict;
}

/**
 * Two users turn out to be one person: an identity linked to `userId` without a
 * unionid (an `snsapi_base` login, say) now brings `unionid`, which `owner`'s
 * identities already carry. Nothing is merged unless the app's `onConflict`
 * says so.
 *
 * @publicApi
 */
export interface WxIdentityConflict {
  unionid: string;
  /** The identity the login came through, before the decision. */
  identity: WxIdentity;
  /** The user the unionid belongs to. */
  owner: string;
}

/**
 * The app's decision on a conflict: `'keepBoth'` (the default) leaves the
 * identity with its user and records the unionid on it; `'moveToOwner'` moves
 * the identity to the unionid's owner, so that this login and the next are the
 * owner's (the app merges its own users' data).
 *
 * @publicApi
 */
export type WxConflictDecision = 'keepBoth' | 'moveToOwner';

/** An identity as a login's profile gives it: its user and time are the link's. */
export type WxIdentityKey = Omit<WxIdentity, 'userId' | 'linkedAt'>;

/** The identity a login's profile is of. */
export function identityKeyOf(profile: WxProfile): WxIdentityKey {
  // A corp's people: every app of the corp sees one userid.
  if (profile.via === 'wecom')
    return { kind: 'wecom', appid: profile.corpid, openid: weComKeyOf(profile) };
  const { appid, openid, unionid } = profile;
  return { kind: appKindOf(profile), appid, openid, ...(unionid ? { unionid } : {}) };
}

/** A WeCom person's key in the corp: the member's userid; a prefixed id for a non-member, which no userid can be. */
function weComKeyOf(profile: WxWeComProfile): string {
  if (profile.member) return profile.userid;
  return profile.openid ? `openid:${profile.openid}` : `external:${profile.externalUserid}`;
}

function appKindOf(profile: WxWeChatProfile): WxAppKind {
  switch (profile.via) {
    case 'miniProgram':
      return 'miniProgram';
    case 'mobileApp':
      // A multi-end app's login gives its mobile app's openid.
      return 'mobileApp';
    case 'follow':
      return 'officialAccount';
    case 'oauth':
      return profile.scope.includes('snsapi_login') ? 'website' : 'officialAccount';
  }
}
