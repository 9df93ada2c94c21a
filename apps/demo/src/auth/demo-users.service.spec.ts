import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import type { WxProfile } from 'nest-wx-oauth';
import { validateDemoEnv } from '../config/demo.config.js';
import { IN_MEMORY } from '../database/demo-database.js';
import { DemoDatabaseModule } from '../database/demo-database.module.js';
import type { DemoLogin } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';
import { WeChatUsers } from './wechat-users.js';

/** A profile of `via` for one person, as the library builds it. */
function profile(
  via: WxProfile['via'],
  appid: string,
  openid: string,
  unionid?: string,
  extra: Partial<{ nickname: string; headimgurl: string; phoneNumber: string }> = {},
) {
  return {
    via,
    provider: 'wechat',
    id: unionid ?? openid,
    appid,
    openid,
    ...(unionid ? { unionid } : {}),
    ...extra,
    scope: via === 'oauth' ? ['snsapi_login'] : [],
    isSnapshotUser: false,
    raw: {},
  } as unknown as WxProfile;
}

/** A WeCom member's profile, as the library builds it: `details` only after their consent. */
function weComMember(
  userid: string,
  details: Partial<{ name: string; avatar: string; mobile: string; email: string }> = {},
): WxProfile {
  return {
    provider: 'wecom',
    via: 'wecom',
    member: true,
    corpid: 'ww0corp',
    agentid: '1000002',
    userid,
    id: userid,
    ...details,
    raw: { userinfo: { userid } },
  } as WxProfile;
}

/** The demo's users as the app wires them: its migrations on an empty embedded database, the identities in it. */
describe('DemoUsers', () => {
  let moduleRef: TestingModule;
  let users: DemoUsers;
  let logIn: (profile: WxProfile) => Promise<DemoLogin>;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          validatePredefined: false,
          validate: () => validateDemoEnv({ DEMO_DB_FILE: IN_MEMORY }),
        }),
        DemoDatabaseModule,
      ],
      providers: [DemoUsers, WeChatUsers],
    }).compile();
    users = moduleRef.get(DemoUsers);
    const validator = moduleRef.get(WeChatUsers);
    logIn = (p) => validator.validate(p);
  });

  afterEach(() => moduleRef.close());

  it("joins the native app's login to the same person's web and mini-program logins by unionid", async () => {
    const web = await logIn(
      profile('oauth', 'wx0web', 'o-web', 'u-alice', { nickname: 'Alice', headimgurl: 'a.png' }),
    );
    const mini = await logIn(
      profile('miniProgram', 'wx0mini', 'o-mini', 'u-alice', { phoneNumber: '13800138000' }),
    );
    const app = await logIn(profile('mobileApp', 'wx0mobile', 'o-mobile', 'u-alice'));
    expect(new Set([web.id, mini.id, app.id]).size).toBe(1);
    expect(app).toMatchObject({ appid: 'wx0mobile', openid: 'o-mobile', unionid: 'u-alice' });

    const alice = await users.current(app);
    // What each login brought stays on the row: the web's nickname and avatar, the mini-program's phone.
    expect(alice).toMatchObject({
      id: web.id,
      appid: 'wx0mobile',
      nickname: 'Alice',
      headimgurl: 'a.png',
      phoneNumber: '13800138000',
    });
    expect(
      alice!.identities
        .map(({ kind, appid, openid, unionid }) => [kind, appid, openid, unionid])
        .sort(),
    ).toEqual([
      ['miniProgram', 'wx0mini', 'o-mini', 'u-alice'],
      ['mobileApp', 'wx0mobile', 'o-mobile', 'u-alice'],
      ['website', 'wx0web', 'o-web', 'u-alice'],
    ]);
    expect(alice!.identities.every((i) => i.linkedAt instanceof Date)).toBe(true);
  });

  it('updates the nickname and avatar a later login brings', async () => {
    await logIn(
      profile('oauth', 'wx0web', 'o-web', 'u-dave', { nickname: 'Dave', headimgurl: 'd1.png' }),
    );
    const again = await logIn(
      profile('oauth', 'wx0web', 'o-web', 'u-dave', { nickname: 'David', headimgurl: 'd2.png' }),
    );
    expect(await users.current(again)).toMatchObject({ nickname: 'David', headimgurl: 'd2.png' });
  });

  it("keeps one identity for the mobile app, whether the OpenSDK's or the multi-end app's login gave it", async () => {
    const sdk = await logIn(profile('mobileApp', 'wx0mobile', 'o-mobile', 'u-bob'));
    const multiEnd = await logIn(profile('mobileApp', 'wx0mobile', 'o-mobile', 'u-bob'));
    expect(multiEnd.id).toBe(sdk.id);
    expect((await users.current(multiEnd))!.identities).toHaveLength(1);
  });

  it('makes a mobile app with no unionid a user of its own', async () => {
    const web = await logIn(profile('oauth', 'wx0web', 'o-web', 'u-carol'));
    const lone = await logIn(profile('mobileApp', 'wx0lone', 'o-lone'));
    expect(lone.id).not.toBe(web.id);
    expect(lone.unionid).toBeUndefined();
    expect((await users.current(lone))!.identities).toEqual([
      expect.objectContaining({ kind: 'mobileApp', appid: 'wx0lone', openid: 'o-lone' }),
    ]);
  });

  it("unlinks one of the user's identities, and none of another user's", async () => {
    const web = await logIn(profile('oauth', 'wx0web', 'o-web', 'u-erin'));
    await logIn(profile('miniProgram', 'wx0mini', 'o-mini', 'u-erin'));
    const other = await logIn(profile('oauth', 'wx0web', 'o-web-frank', 'u-frank'));

    expect(await users.unlink(web, 'wx0web', 'o-web-frank')).toBe(false);
    expect(await users.unlink(web, 'wx0mini', 'o-mini')).toBe(true);
    expect((await users.current(web))!.identities.map((i) => i.appid)).toEqual(['wx0web']);
    expect((await users.current(other))!.identities).toHaveLength(1);
  });

  it('makes a WeCom member a user of their own, with the details of the login that shared them', async () => {
    const web = await logIn(profile('oauth', 'wx0web', 'o-web', 'u-zhang', { nickname: 'Zhang' }));
    const shared = await logIn(
      weComMember('ZhangSan', { name: '张三', avatar: 'z.png', mobile: '13800138000' }),
    );
    // A corp's member has no unionid: nothing ties them to a WeChat user.
    expect(shared.id).not.toBe(web.id);
    expect(shared).toMatchObject({
      appid: 'ww0corp',
      openid: 'ZhangSan',
      nickname: '张三',
      scope: [],
      wecom: {
        corpid: 'ww0corp',
        agentid: '1000002',
        userid: 'ZhangSan',
        details: { name: '张三', avatar: 'z.png', mobile: '13800138000' },
      },
    });
    expect(shared.unionid).toBeUndefined();
    const zhang = await users.current(shared);
    expect(zhang).toMatchObject({ nickname: '张三', headimgurl: 'z.png' });
    expect(zhang!.identities).toEqual([
      expect.objectContaining({ kind: 'wecom', appid: 'ww0corp', openid: 'ZhangSan' }),
    ]);

    // A later login that shares nothing is the same user; its session has no details, the row keeps the name.
    const bare = await logIn(weComMember('ZhangSan'));
    expect(bare.id).toBe(shared.id);
    expect(bare.wecom).toEqual({ corpid: 'ww0corp', agentid: '1000002', userid: 'ZhangSan' });
    expect(bare.nickname).toBeUndefined();
    expect((await users.current(bare))!.nickname).toBe('张三');
  });

  it('knows no user the database does not have', async () => {
    const login = await logIn(profile('oauth', 'wx0web', 'o-web', 'u-gina'));
    expect(await users.current({ ...login, id: 'no-such-user' })).toBeUndefined();
  });
});
