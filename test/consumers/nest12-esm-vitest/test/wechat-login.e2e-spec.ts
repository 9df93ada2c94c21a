import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WxOAuthModule, type WxProfile } from 'nest-wx-oauth';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { AuthController } from '../src/auth/auth.controller.js';

describe('WeChat login (e2e)', () => {
  let sandbox: WxSandbox;
  let app: INestApplication<App>;

  beforeAll(async () => {
    // A local WeChat that approves every login as the test user alice.
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WxOAuthModule.forRoot({
          appid: sandbox.appid,
          secret: sandbox.secret,
          // Any host will do: loginThroughSandbox sends the callback to the app under test.
          callbackURL: 'http://localhost/auth/wechat/callback',
          scope: 'snsapi_userinfo',
          apiBaseUrl: sandbox.url,
          openBaseUrl: sandbox.url,
        }),
      ],
      controllers: [AuthController],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('sends the browser to WeChat with a state cookie', async () => {
    const res = await request(app.getHttpServer())
      .get('/auth/wechat')
      .expect(302);

    expect(res.headers.location).toMatch(
      `${sandbox.url}/connect/oauth2/authorize?appid=${sandbox.appid}&`,
    );
    expect(res.headers['set-cookie']).toBeDefined();
  });

  it('logs alice in through the sandbox', async () => {
    const login = await loginThroughSandbox<WxProfile>(app.getHttpServer(), {
      sandbox,
      path: '/auth/wechat',
    });

    const alice = sandbox.users.find((user) => user.key === 'alice')!;
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      provider: 'wechat',
      openid: alice.openid,
      nickname: alice.nickname,
    });
  });

  it('refuses a callback that does not carry the state cookie of its login', async () => {
    const code = sandbox.issueCode('alice', 'snsapi_userinfo');

    await request(app.getHttpServer())
      .get(`/auth/wechat/callback?code=${code}&state=abc123`)
      .expect(401);
  });
});
