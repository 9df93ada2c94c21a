import { Controller, Get, type INestApplication, Module, Param } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { WXOAuth, WxOAuthModule, WxTokenService } from 'nest-wx-oauth';
import { WxSandbox } from 'nest-wx-oauth/testing';

// The app's own handlers call WeChat through the module's services; the module's own
// app-wide filter answers their failures as the guard answers a login, with no app code.

@Controller()
class WeChatController {
  constructor(
    private readonly tokens: WxTokenService,
    private readonly wx: WXOAuth,
  ) {}

  @Get('users/:openid/profile')
  profile(@Param('openid') openid: string): Promise<unknown> {
    return this.tokens.getUserinfoFor(openid);
  }

  @Get('userinfo/:token')
  userinfo(@Param('token') token: string): Promise<unknown> {
    return this.wx.getUserinfo(token, 'o-anyone');
  }

  @Get('broken')
  broken(): never {
    throw new Error('a bug of the app');
  }
}

describe.each(['express', 'fastify'] as const)("the module's exception filter on %s", (adapter) => {
  let sandbox: WxSandbox;
  let app: INestApplication;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
    @Module({
      imports: [
        WxOAuthModule.forRoot({
          appid: sandbox.appid,
          secret: sandbox.secret,
          callbackURL: 'http://127.0.0.1/auth/wechat/callback',
          apiBaseUrl: sandbox.url,
          openBaseUrl: sandbox.url,
          retry: false,
        }),
      ],
      controllers: [WeChatController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app =
      adapter === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    // On loopback: supertest would otherwise open the server on every interface.
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('answers a user with no saved tokens 401 refresh_expired, not 500', async () => {
    const res = await request(app.getHttpServer()).get('/users/o-nobody/profile').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, kind: 'refresh_expired' });
  });

  it("answers WeChat's refusal of a token 401 with its errcode", async () => {
    const res = await request(app.getHttpServer()).get('/userinfo/not-a-token').expect(401);
    expect(res.body).toMatchObject({ kind: 'invalid_token', errcode: 40001 });
  });

  it('answers WeChat failing 502, without the secret', async () => {
    sandbox.inject({ type: 'http500' }, { endpoint: 'userinfo' });
    const res = await request(app.getHttpServer()).get('/userinfo/not-a-token').expect(502);
    expect(res.body).toMatchObject({ statusCode: 502, kind: 'bad_response' });
    expect(res.text).not.toContain(sandbox.secret);
  });

  it("leaves the app's other errors to Nest (500)", async () => {
    await request(app.getHttpServer()).get('/broken').expect(500);
  });
});
