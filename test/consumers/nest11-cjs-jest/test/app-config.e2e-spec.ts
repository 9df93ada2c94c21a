import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import type { App } from 'supertest/types.js';
import { AppModule } from '../src/app.module';
import type { User } from '../src/users/user.entity';
import { UsersService } from '../src/users/users.service';

// The app as it starts for real: configured from the environment through nest-wx-oauth/config.
describe('AppModule configured from WX_* variables', () => {
  const saved = { ...process.env };
  let sandbox: WxSandbox;
  let app: INestApplication<App>;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    Object.assign(process.env, {
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
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

  it("logs alice in as the app's user, through its WeChatUsers validator and UsersService", async () => {
    const path = '/auth/wechat';
    const first = await loginThroughSandbox<User>(app.getHttpServer(), {
      sandbox,
      path,
    });
    const again = await loginThroughSandbox<User>(app.getHttpServer(), {
      sandbox,
      path,
    });

    expect(first.status).toBe(200);
    expect(first.body).toEqual(
      await app.get(UsersService).findOne(String(first.body?.id)),
    );
    expect(first.body?.nickname).toBe('Alice');
    expect(again.body).toEqual(first.body);
  });
});
