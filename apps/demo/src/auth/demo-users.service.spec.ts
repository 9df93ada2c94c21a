import type { WxProfile } from 'nest-wx-oauth';
import { DemoUsers } from './demo-users.service.js';

/** A profile of `via` for one person, as the library builds it. */
function profile(via: WxProfile['via'], appid: string, openid: string, unionid?: string) {
  return {
    via,
    provider: 'wechat',
    id: unionid ?? openid,
    appid,
    openid,
    ...(unionid ? { unionid } : {}),
    nickname: 'Alice',
    scope: via === 'oauth' ? ['snsapi_login'] : [],
    isSnapshotUser: false,
    raw: {},
  } as unknown as WxProfile;
}

describe('DemoUsers', () => {
  it("joins the native app's login to the same person's web and mini-program logins by unionid", () => {
    const users = new DemoUsers();
    users.logIn(profile('oauth', 'wx0web', 'o-web', 'u-alice'));
    users.logIn(profile('miniProgram', 'wx0mini', 'o-mini', 'u-alice'));
    const app = users.logIn(profile('mobileApp', 'wx0mobile', 'o-mobile', 'u-alice'));
    expect(app).toMatchObject({ id: 'u-alice', appid: 'wx0mobile', openid: 'o-mobile' });
    expect(app.openids).toEqual([
      { app: 'mobileApp', appid: 'wx0mobile', openid: 'o-mobile' },
      { app: 'miniProgram', appid: 'wx0mini', openid: 'o-mini' },
      { app: 'website', appid: 'wx0web', openid: 'o-web' },
    ]);
  });

  it("keeps one openid for the mobile app, whether the OpenSDK's or the multi-end app's login gave it", () => {
    const users = new DemoUsers();
    users.logIn(profile('mobileApp', 'wx0mobile', 'o-mobile', 'u-bob'));
    expect(users.logIn(profile('mobileApp', 'wx0mobile', 'o-mobile', 'u-bob')).openids).toEqual([
      { app: 'mobileApp', appid: 'wx0mobile', openid: 'o-mobile' },
    ]);
  });

  it('makes a mobile app with no unionid a user of its own', () => {
    const users = new DemoUsers();
    users.logIn(profile('oauth', 'wx0web', 'o-web', 'u-carol'));
    const app = users.logIn(profile('mobileApp', 'wx0lone', 'o-lone'));
    expect(app.id).toBe('wx0lone:o-lone');
    expect(app.openids).toHaveLength(1);
  });
});
