import type { WxWeComUserDetail, WxWeComUserInfo } from '../client/wx-wecom.types.js';

/** What both WeCom profiles have. */
interface WxWeComProfileBase {
  provider: 'wecom';
  via: 'wecom';
  /** The corp the login was for, and its app. */
  corpid: string;
  agentid: string;
}

/**
 * A member of the corp (`(corpid, userid)`: WeCom has no unionid), with, after
 * consent (`snsapi_privateinfo` inside the WeCom client, the member in the
 * app's visible range), the details the member has: each field only when
 * WeCom gave it.
 *
 * @publicApi
 */
export interface WxWeComMemberProfile extends WxWeComProfileBase {
  member: true;
  /** The member's userid in the corp. */
  userid: string;
  /** The userid. */
  id: string;
  name?: string;
  /** The avatar's URL. */
  avatar?: string;
  mobile?: string;
  email?: string;
  /** The corp mailbox (企业邮箱). */
  bizMail?: string;
  gender?: 'male' | 'female';
  /** WeCom's answers, the `user_ticket` left out. */
  raw: {
    userinfo: Omit<WxWeComUserInfo, 'user_ticket'>;
    detail?: WxWeComUserDetail;
  };
}

/**
 * Someone who is not a member of the corp: a WeChat user (`openid`, the
 * corp's own), with `externalUserid` when they are one of the corp's external
 * contacts (客户). Reaches the app only on a route that accepts non-members.
 *
 * @publicApi
 */
export interface WxWeComNonMemberProfile extends WxWeComProfileBase {
  member: false;
  /** The openid, else the external_userid. */
  id: string;
  openid?: string;
  externalUserid?: string;
  raw: { userinfo: Omit<WxWeComUserInfo, 'user_ticket'> };
}

/**
 * A WeCom login's profile (`via: 'wecom'`): a member or not, told apart by `member`.
 *
 * @publicApi
 */
export type WxWeComProfile = WxWeComMemberProfile | WxWeComNonMemberProfile;

/** WeCom's gender codes: '0' says nothing. */
const GENDERS: Record<string, 'male' | 'female'> = { '1': 'male', '2': 'female' };

/**
 * The profile of a WeCom login: getuserinfo's answer, and for a consenting
 * member getuserdetail's and the name `/cgi-bin/user/get` gave. Only the
 * details WeCom sent, non-empty, are set.
 */
export function weComProfile(
  corpid: string,
  agentid: string,
  { user_ticket: _ticket, ...userinfo }: WxWeComUserInfo,
  detail?: WxWeComUserDetail,
  name?: string,
): WxWeComProfile {
  const base = { provider: 'wecom', via: 'wecom', corpid, agentid } as const;
  if (userinfo.userid) {
    const gender = GENDERS[detail?.gender ?? ''];
    return {
      ...base,
      member: true,
      userid: userinfo.userid,
      id: userinfo.userid,
      ...present({
        name,
        avatar: detail?.avatar,
        mobile: detail?.mobile,
        email: detail?.email,
        bizMail: detail?.biz_mail,
      }),
      ...(gender ? { gender } : {}),
      raw: { userinfo, ...(detail ? { detail } : {}) },
    };
  }
  return {
    ...base,
    member: false,
    id: (userinfo.openid || userinfo.external_userid)!, // the login checked that one is there
    ...present({ openid: userinfo.openid, externalUserid: userinfo.external_userid }),
    raw: { userinfo },
  };
}

/** The fields that are non-empty strings: WeCom leaves out what a member lacks, or sends ''. */
function present<K extends string>(
  fields: Record<K, string | undefined>,
): Partial<Record<K, string>> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => typeof value === 'string' && value !== ''),
  ) as Partial<Record<K, string>>;
}
