import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { WXOAuth } from './client/wx-oauth.client.js';
import { WxStrategy } from './passport/wx.strategy.js';
import { MemoryTokenStore } from './tokens/memory-token-store.js';
import { WxTokenService } from './tokens/wx-token.service.js';
import { WX_OAUTH_OPTIONS } from './wx-oauth.constants.js';
import { WxOAuthModule } from './wx-oauth.module.js';
import type { ResolvedWxOAuthOptions, WxOAuthModuleOptions } from './wx-oauth.options.js';

const SECRET = 'module-spec-secret-0123456789';
const options: WxOAuthModuleOptions = {
  appid: 'wxmodulespec',
  secret: SECRET,
  callbackURL: 'https://app.example.com/auth/wechat/callback',
};

@Injectable()
class WxConfig {
  createWxOAuthOptions(): WxOAuthModuleOptions {
    return options;
  }
}

@Module({ providers: [WxConfig], exports: [WxConfig] })
class WxConfigModule {}

describe('WxOAuthModule', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  const compile = async (imports: unknown[]) => {
    moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
    return moduleRef;
  };

  it.each([
    ['forRoot', () => WxOAuthModule.forRoot(options)],
    ['forRootAsync with useFactory and inject', () =>
      WxOAuthModule.forRootAsync({ imports: [WxConfigModule], inject: [WxConfig], useFactory: (c: WxConfig) => c.createWxOAuthOptions() })],
    ['forRootAsync with useClass', () => WxOAuthModule.forRootAsync({ useClass: WxConfig })],
    ['forRootAsync with useExisting', () => WxOAuthModule.forRootAsync({ imports: [WxConfigModule], useExisting: WxConfig })],
  ])('registers with %s', async (_name, register) => {
    const ref = await compile([register()]);
    const wx = ref.get(WXOAuth);
    expect(wx).toBeInstanceOf(WXOAuth);
    expect(wx.appid).toBe('wxmodulespec');
    expect(ref.get(WxStrategy)).toBeInstanceOf(WxStrategy);
    expect(ref.get<ResolvedWxOAuthOptions>(WX_OAUTH_OPTIONS)).toMatchObject({
      scope: 'snsapi_base',
      timeout: 5000,
      apiBaseUrl: 'https://api.weixin.qq.com',
      openBaseUrl: 'https://open.weixin.qq.com',
      stateTtl: 600_000,
      idField: 'openid',
    });
  });

  it('exports WXOAuth to the whole app with isGlobal', async () => {
    @Injectable()
    class UsesClient {
      constructor(readonly wx: WXOAuth) {}
    }
    @Module({ providers: [UsesClient] })
    class FeatureModule {}

    const ref = await compile([WxOAuthModule.forRoot({ ...options, isGlobal: true }), FeatureModule]);
    expect(ref.get(UsesClient).wx).toBeInstanceOf(WXOAuth);
  });

  it('keeps WXOAuth to importers without isGlobal', async () => {
    @Injectable()
    class UsesClient {
      constructor(readonly wx: WXOAuth) {}
    }
    @Module({ providers: [UsesClient] })
    class FeatureModule {}

    await expect(compile([WxOAuthModule.forRoot(options), FeatureModule])).rejects.toThrow(/WXOAuth/);
  });

  it('refuses bad options at start-up, naming each one and never the secret', async () => {
    const bad = {
      appid: '',
      secret: SECRET,
      callbackURL: '/relative',
      scope: 'snsapi_privateinfo',
      timeout: -1,
      apiBaseUrl: 'ftp://x',
    } as unknown as WxOAuthModuleOptions;
    const error: Error = await compile([WxOAuthModule.forRoot(bad)]).then(
      () => new Error('compiled'),
      (e: Error) => e,
    );
    expect(error.message).toContain('Invalid WxOAuthModule options');
    for (const name of ['appid', 'callbackURL', 'scope', 'timeout', 'apiBaseUrl']) {
      expect(error.message).toMatch(new RegExp(`- ${name}: `));
    }
    expect(error.message).not.toContain(SECRET);
    expect(error.stack).not.toContain(SECRET);
  });

  it('takes a token store from an async factory', async () => {
    const tokenStore = new MemoryTokenStore();
    const ref = await compile([WxOAuthModule.forRootAsync({ useFactory: async () => ({ ...options, tokenStore }) })]);
    await tokenStore.set('wxmodulespec', 'o1', {
      openid: 'o1',
      scope: 'snsapi_base',
      accessToken: 'saved-token',
      refreshToken: 'r',
      accessTokenExpiresAt: Date.now() + 3_600_000,
      refreshTokenExpiresAt: Date.now() + 3_600_000,
    });
    expect(await ref.get(WxTokenService).getAccessToken('o1')).toBe('saved-token');
    await expect(ref.get(WxTokenService).getAccessToken('o2')).rejects.toMatchObject({ kind: 'refresh_expired' });
  });

  it('refuses a token store that is not one', async () => {
    await expect(compile([WxOAuthModule.forRoot({ ...options, tokenStore: {} as never })])).rejects.toThrow(
      /- tokenStore: must implement WxTokenStore \(get, set, delete, claim, lock, setIfLocked, unlock\)/,
    );
  });

  it('warns once in production that tokens are kept in memory', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await compile([WxOAuthModule.forRoot(options)]);
      await moduleRef!.init();
      await moduleRef!.close();
      await compile([WxOAuthModule.forRoot(options)]);
      await moduleRef!.init();
      const warnings = warn.mock.calls.filter(([message]) => String(message).includes('MemoryTokenStore'));
      expect(warnings).toHaveLength(1);
    } finally {
      process.env.NODE_ENV = env;
      warn.mockRestore();
    }
  });

  it('requires the secret', async () => {
    const { secret: _secret, ...noSecret } = options;
    await expect(compile([WxOAuthModule.forRoot(noSecret as WxOAuthModuleOptions)])).rejects.toThrow(/- secret: is required/);
  });
});
