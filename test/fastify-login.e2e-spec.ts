import { readFile } from 'node:fs/promises';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { WxOAuthModule, type WxProfile } from 'nest-wx-oauth';
import { loginThroughSandbox, WxSandbox } from 'nest-wx-oauth/testing';
import { AuthController } from './support/auth.controller.js';

// The package README's Fastify e2e, run as written: the block under "On Fastify" comes from this file.

describe('WeChat login on Fastify (e2e)', () => {
  let sandbox: WxSandbox;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WxOAuthModule.forRoot({
          appid: sandbox.appid,
          secret: sandbox.secret,
          callbackURL: 'http://localhost/auth/wechat/callback',
          apiBaseUrl: sandbox.url,
          openBaseUrl: sandbox.url,
        }),
      ],
      controllers: [AuthController],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    // Fastify registers the routes when it is ready: without this the login never gets an answer.
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('logs alice in through the sandbox, inside WeChat as well', async () => {
    const login = await loginThroughSandbox<WxProfile>(app.getHttpServer(), {
      sandbox,
      path: '/auth/wechat',
      userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50',
    });

    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ provider: 'wechat', openid: sandbox.users[0].openid });
  });

  it("is the README's Fastify setup, word for word", async () => {
    const readme = await readFile(new URL('../libs/wx-oauth/README.md', import.meta.url), 'utf8');
    const block = /\*\*On Fastify\*\*[^`]*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const spec = await readFile(new URL(import.meta.url), 'utf8');
    for (const line of block!.split('\n').filter((l) => l.trim())) expect(spec).toContain(line);
  });
});
