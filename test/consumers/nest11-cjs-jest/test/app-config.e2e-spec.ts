import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { WxProfile } from 'nest-wx-oauth';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import { AppModule } from '../src/app.module';

// The app as it starts for real: configured from the environment through nest-wx-oauth/config.
describe('AppModule configured from WX_* variables', () => {
  const saved = { ...process.env };
  let sandbox: WxSandbox;
  let app: INestApplication;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    Object.assign(process.env, {
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_CALLBACK_URL: 'http://localhost/auth/wechat/callback',
      WX_SCOPE: 'snsapi_userinfo',
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    process.env = saved;
    await app.close();
    await sandbox.close();
  });

  it('logs alice in with her profile', async () => {
    const login = await loginThroughSandbox<WxProfile>(app.getHttpServer(), {
      sandbox,
      path: '/auth/wechat',
    });

    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ nickname: 'Alice', scope: ['snsapi_userinfo'] });
  });
});
