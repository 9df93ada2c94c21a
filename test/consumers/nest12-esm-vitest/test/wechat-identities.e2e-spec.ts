import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WxIdentities } from 'nest-wx-oauth';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { User } from '../src/users/user.entity.js';

/** WeChat's in-app browser: a site with two apps logs it in through its official account. */
const IN_WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50';

// One person through the official account (inside WeChat) and the website app (on a desktop):
// one user in the app's database, through WxIdentities on TypeORM.
describe('one WeChat person through two apps', () => {
  const saved = { ...process.env };
  let sandbox: WxSandbox;
  let app: INestApplication<App>;

  beforeAll(async () => {
    // Both apps bound to one Open Platform account: an openid in each, one unionid.
    sandbox = await WxSandbox.start({
      autoApprove: 'alice',
      apps: [
        {
          appid: 'wx0mp',
          secret: 'mp-secret',
          kind: 'officialAccount',
          openPlatform: 'acme',
        },
        {
          appid: 'wx0web',
          secret: 'web-secret',
          kind: 'website',
          openPlatform: 'acme',
        },
      ],
    });
    Object.assign(process.env, {
      WX_MP_APPID: 'wx0mp',
      WX_MP_SECRET: 'mp-secret',
      WX_WEB_APPID: 'wx0web',
      WX_WEB_SECRET: 'web-secret',
      WX_CALLBACK_URL: 'http://localhost/auth/wechat/callback',
      WX_SCOPE: 'snsapi_userinfo',
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
      JWT_SECRET: 'a-test-jwt-secret',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    process.env = saved;
    await app.close();
    await sandbox.close();
  });

  /** A login through the official account (inside WeChat) or the website app. */
  const login = (inWeChat: boolean) =>
    loginThroughSandbox<User>(app.getHttpServer(), {
      sandbox,
      path: '/auth/wechat',
      ...(inWeChat ? { userAgent: IN_WECHAT } : {}),
    });

  /** A user's identities, as WxIdentities keeps them, by appid. */
  const identitiesOf = async (userId: number) =>
    (await app.get(WxIdentities).identitiesOf(String(userId)))
      .map(({ kind, appid, openid, unionid }) => ({
        kind,
        appid,
        openid,
        unionid,
      }))
      .sort((a, b) => a.appid.localeCompare(b.appid));

  /** A sandbox user's identities in the official account and the website app. */
  const bothIdentities = (key: string) => [
    {
      kind: 'officialAccount',
      appid: 'wx0mp',
      openid: sandbox.openidOf(key, 'wx0mp'),
      unionid: sandbox.unionidOf(key, 'wx0mp'),
    },
    {
      kind: 'website',
      appid: 'wx0web',
      openid: sandbox.openidOf(key, 'wx0web'),
      unionid: sandbox.unionidOf(key, 'wx0web'),
    },
  ];

  /** The app's users of a sandbox user, found by the nickname WeChat gave. */
  const usersNamed = (key: string) =>
    app
      .get(DataSource)
      .getRepository(User)
      .findBy({
        nickname: sandbox.users.find((user) => user.key === key)!.nickname,
      });

  it('makes alice one user, with both identities, whichever app she logs in through', async () => {
    const inWeChat = await login(true);
    const onDesktop = await login(false);

    expect([inWeChat.status, onDesktop.status]).toEqual([200, 200]);
    expect(onDesktop.body).toEqual(inWeChat.body);
    expect(await usersNamed('alice')).toEqual([inWeChat.body]);
    expect(await identitiesOf(inWeChat.body!.id)).toEqual(
      bothIdentities('alice'),
    );
  });

  it('makes bob one user of ten first logins at once, five through each app', async () => {
    sandbox.setAutoApprove('bob');
    const logins = await Promise.all(
      Array.from({ length: 10 }, (_, i) => login(i % 2 === 0)),
    );

    expect(logins.map((l) => l.status)).toEqual(Array(10).fill(200));
    const users = await usersNamed('bob');
    expect(users).toHaveLength(1);
    expect(logins.map((l) => l.body)).toEqual(Array(10).fill(users[0]));
    expect(await identitiesOf(users[0].id)).toEqual(bothIdentities('bob'));
  });
});
