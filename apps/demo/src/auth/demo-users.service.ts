import { Injectable } from '@nestjs/common';
import type { WxProfile } from 'nest-wx-oauth';
import { type DemoUser, toDemoUser } from './demo-user.js';

/**
 * The demo's users, in memory: a login through another app by the same person
 * (the same unionid) joins the user it already has, so the phone's, the
 * desktop's, the mini-program's and the native app's logins are one user with
 * every openid.
 * Without a unionid (an app not bound to the Open Platform account) there is
 * nothing to join by: the login is a user of its own, by appid and openid. A
 * real app keeps this in its database, keyed by unionid, with one row per
 * (appid, openid) beside it.
 */
@Injectable()
export class DemoUsers {
  private readonly users = new Map<string, DemoUser>();

  /** The user for this login, joined with what the same person's earlier logins left. */
  logIn(profile: WxProfile): DemoUser {
    const user = toDemoUser(profile);
    const known = this.users.get(user.id);
    const others = (known?.openids ?? []).filter((o) => o.appid !== user.appid);
    const joined: DemoUser = {
      ...user,
      nickname: user.nickname ?? known?.nickname,
      headimgurl: user.headimgurl ?? known?.headimgurl,
      phoneNumber: user.phoneNumber ?? known?.phoneNumber,
      openids: [...user.openids, ...others],
    };
    this.users.set(joined.id, joined);
    return joined;
  }

  /** The user as now known (with the openids of logins since), or the session's copy. */
  current(sessionUser: DemoUser): DemoUser {
    const known = this.users.get(sessionUser.id);
    return known
      ? { ...known, appid: sessionUser.appid, openid: sessionUser.openid, scope: sessionUser.scope }
      : sessionUser;
  }
}
