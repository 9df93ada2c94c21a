import { Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { WXOAuth, WxOAuthModule } from 'nest-wx-oauth';
import { WxSandbox } from 'nest-wx-oauth/testing';

// The README's parity with Flask-WX-OAuth's init_app: the app (never the library) reads WX_APPID and WX_SECRET.
const wxConfig = registerAs('wx', () => ({
  appid: process.env.WX_APPID!,
  secret: process.env.WX_SECRET!,
  callbackURL: process.env.WX_CALLBACK_URL!,
  apiBaseUrl: process.env.WX_API_BASE_URL,
  openBaseUrl: process.env.WX_OPEN_BASE_URL,
}));

@Module({ imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), WxOAuthModule.forRootAsync(wxConfig.asProvider())] })
class AppModule {}

describe('configuration from WX_APPID / WX_SECRET through @nestjs/config', () => {
  const saved = { ...process.env };
  let sandbox: WxSandbox;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  afterEach(() => {
    process.env = { ...saved };
  });
  afterAll(() => sandbox.close());

  it('configures the client with one line', async () => {
    Object.assign(process.env, {
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_CALLBACK_URL: 'http://127.0.0.1:1/auth/wechat/callback',
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const wx = moduleRef.get(WXOAuth);
    const token = await wx.getAccessToken(sandbox.issueCode('alice', 'snsapi_base'));
    expect(token.openid).toBe(sandbox.users[0].openid);
    await moduleRef.close();
  });

  it('fails to start without WX_SECRET, naming it', async () => {
    Object.assign(process.env, { WX_APPID: 'wx1', WX_CALLBACK_URL: 'https://a.example.com/cb' });
    delete process.env.WX_SECRET;
    await expect(Test.createTestingModule({ imports: [AppModule] }).compile()).rejects.toThrow(/- secret: is required/);
  });
});
