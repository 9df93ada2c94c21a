import { type INestApplication, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  WX_OAUTH_STORE,
  WXOAuth,
  WxMemoryStore,
  WxOAuthModule,
  type WxWeChatProfile,
  WxValidator,
} from 'nest-wx-oauth';
import { wxOAuthFromConfig } from 'nest-wx-oauth/config';
import { WxSandbox } from 'nest-wx-oauth/testing';
import { AuthController, MiniProgramLoginController } from './support/auth.controller.js';
import { freePort } from './support/free-port.js';
import { login } from './support/login-flow.js';

/** The app's user for a login: its member id. */
@WxValidator()
class MemberValidator implements WxValidator {
  validate(profile: WxWeChatProfile): unknown {
    return { member: profile.openid };
  }
}

// The seed's init_app(app) read WX_APPID and WX_SECRET from the app's configuration;
// in Nest that is one line over @nestjs/config, as the README shows.
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
  ],
  controllers: [AuthController, MiniProgramLoginController],
})
class AppModule {}

describe('configuration from WX_* keys through @nestjs/config', () => {
  const saved = { ...process.env };
  let sandbox: WxSandbox;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ autoApprove: 'alice' });
  });
  afterEach(async () => {
    process.env = { ...saved };
    await app?.close();
    app = undefined;
  });
  afterAll(() => sandbox.close());

  const configure = (port: number, extra: Record<string, string> = {}) =>
    Object.assign(process.env, {
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_CALLBACK_URL: `http://127.0.0.1:${port}/auth/wechat/callback`,
      WX_SCOPE: 'snsapi_userinfo',
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
      ...extra,
    });

  const start = async (module: unknown = AppModule): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({
      imports: [module as typeof AppModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    return app;
  };

  it('logs in with every key read from the configuration', async () => {
    const port = await freePort();
    configure(port);
    await (await start()).listen(port, '127.0.0.1');
    const { started, callback } = await login(`http://127.0.0.1:${port}`);
    expect(started.authorizeUrl).toContain(
      `${sandbox.url}/connect/oauth2/authorize?appid=${sandbox.appid}&`,
    );
    expect(started.authorizeUrl).toContain('&scope=snsapi_userinfo&');
    expect(callback.status).toBe(200);
    expect(callback.body).toMatchObject({
      openid: sandbox.users[0].openid,
      nickname: sandbox.users[0].nickname,
    });
  });

  it('takes the options that are not strings beside the keys', async () => {
    const port = await freePort();
    configure(port);
    const store = new WxMemoryStore();
    @Module({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        WxOAuthModule.forRootAsync(wxOAuthFromConfig({ store })),
      ],
      controllers: [AuthController],
      providers: [MemberValidator],
    })
    class MappingModule {}
    await (await start(MappingModule)).listen(port, '127.0.0.1');
    expect(app!.get(WX_OAUTH_STORE)).toBe(store);
    expect((await login(`http://127.0.0.1:${port}`)).callback.body).toEqual({
      member: sandbox.users[0].openid,
    });
  });

  it('reads the keys from a ConfigModule load as well as the environment', async () => {
    @Module({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: [
            () => ({
              WX_APPID: sandbox.appid,
              WX_SECRET: sandbox.secret,
              WX_CALLBACK_URL: 'http://127.0.0.1:1/cb',
              WX_API_BASE_URL: sandbox.url,
            }),
          ],
        }),
        WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
      ],
    })
    class LoadedModule {}
    await (await start(LoadedModule)).init();
    const token = await app!.get(WXOAuth).getAccessToken(sandbox.issueCode('alice', 'snsapi_base'));
    expect(token.openid).toBe(sandbox.users[0].openid);
  });

  it('registers the mini-program from WX_MINI_APPID and WX_MINI_SECRET, and names a half pair', async () => {
    const mini = await WxSandbox.start({
      apps: [
        { appid: 'wx0cfg0official', kind: 'officialAccount', openPlatform: 'cfg' },
        { appid: 'wx0cfg0miniprog', kind: 'miniProgram', openPlatform: 'cfg' },
      ],
    });
    try {
      Object.assign(process.env, {
        WX_MP_APPID: 'wx0cfg0official',
        WX_MP_SECRET: mini.app('wx0cfg0official').secret,
        WX_MINI_APPID: 'wx0cfg0miniprog',
        WX_MINI_SECRET: mini.app('wx0cfg0miniprog').secret,
        WX_CALLBACK_URL: 'http://127.0.0.1:1/auth/wechat/callback',
        WX_API_BASE_URL: mini.url,
      });
      const port = await freePort();
      await (await start()).listen(port, '127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${port}/auth/wechat/miniprogram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: mini.wxLogin('alice', 'wx0cfg0miniprog') }),
      });
      const session = await res.json();
      expect(session).toMatchObject({
        via: 'miniProgram',
        openid: mini.openidOf('alice', 'wx0cfg0miniprog'),
        unionid: mini.unionidOf('alice', 'wx0cfg0official'),
      });
      await app!.close();
      app = undefined;
      delete process.env.WX_MINI_SECRET;
      const error = await start().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain('- WX_MINI_SECRET: is required with WX_MINI_APPID');
    } finally {
      await mini.close();
    }
  });

  it('fails to start naming each missing or invalid key, never a value', async () => {
    configure(1, { WX_SECRET: '', WX_CALLBACK_URL: 'not a url', WX_SCOPE: 'snsapi_everything' });
    const error = await start().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^Invalid WxOAuthModule configuration options:/);
    expect(error?.message).toContain('- WX_SECRET: is required with WX_APPID');
    expect(error?.message).toContain('- WX_CALLBACK_URL: must be an absolute http(s) URL');
    expect(error?.message).toContain('- WX_SCOPE: ');
    expect(error?.message).not.toContain('snsapi_everything');
    expect(error?.message).not.toContain(sandbox.appid);
  });
});
