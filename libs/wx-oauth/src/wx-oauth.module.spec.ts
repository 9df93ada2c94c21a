import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import passport from 'passport';
import { WXOAuth } from './client/wx-oauth.client.js';
import * as publicApi from './index.js';
import { WxAppStates } from './logins/app/wx-app-states.js';
import { WxAppStrategy } from './logins/app/wx-app.strategy.js';
import { WxFollowStrategy } from './logins/follow/wx-follow.strategy.js';
import { WxMiniProgramStrategy } from './logins/mini-program/wx-mini-program.strategy.js';
import { WxOAuthStrategy } from './logins/oauth/wx-oauth.strategy.js';
import type {
  WxOAuthModuleOptions,
  WxOAuthOptionsFactory,
} from './options/wx-oauth-module-options.interface.js';
import type { WxProfile, WxWeChatProfile } from './profile/wx-profile.js';
import { WxValidation } from './profile/wx-validation.js';
import { WxValidator } from './profile/wx-validator.decorator.js';
import { WxMemoryStore } from './store/wx-memory-store.js';
import { WxTokenService } from './tokens/wx-token.service.js';
import { WX_OAUTH_OPTIONS, WX_OAUTH_STORE, WX_STRATEGIES } from './wx-oauth.constants.js';
import { InjectWxOAuthOptions } from './wx-oauth.decorators.js';
import { WxOAuthModule } from './wx-oauth.module.js';
import type { WxOAuthSettings } from './options/wx-oauth.options.js';

/** passport's registry of strategies, which its types leave out. */
interface PassportInternals {
  _strategy(name: string): unknown;
}

const SECRET = 'module-spec-secret-0123456789';
const options: WxOAuthModuleOptions = {
  appid: 'wxmodulespec',
  secret: SECRET,
  callbackURL: 'https://app.example.com/auth/wechat/callback',
};

@Injectable()
class WxConfig implements WxOAuthOptionsFactory {
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
    [
      'forRootAsync with useFactory and inject',
      () =>
        WxOAuthModule.forRootAsync({
          imports: [WxConfigModule],
          inject: [WxConfig],
          useFactory: (c: WxConfig) => c.createWxOAuthOptions(),
        }),
    ],
    ['forRootAsync with useClass', () => WxOAuthModule.forRootAsync({ useClass: WxConfig })],
    [
      'forRootAsync with useExisting',
      () => WxOAuthModule.forRootAsync({ imports: [WxConfigModule], useExisting: WxConfig }),
    ],
  ])('registers with %s', async (_name, register) => {
    const ref = await compile([register()]);
    const wx = ref.get(WXOAuth);
    expect(wx).toBeInstanceOf(WXOAuth);
    expect(wx.appid).toBe('wxmodulespec');
    expect(ref.get(WxOAuthStrategy)).toBeInstanceOf(WxOAuthStrategy);
    expect(ref.get<WxOAuthSettings>(WX_OAUTH_OPTIONS)).toMatchObject({
      scope: 'snsapi_base',
      timeout: 5000,
      apiBaseUrl: 'https://api.weixin.qq.com',
      openBaseUrl: 'https://open.weixin.qq.com',
      state: { ttl: 600_000 },
      idField: 'openid',
    });
  });

  it.each([
    ['by default', {}],
    ['with isGlobal: true', { isGlobal: true }],
  ])('exports WXOAuth to the whole app %s', async (_name, extra) => {
    @Injectable()
    class UsesClient {
      constructor(readonly wx: WXOAuth) {}
    }
    @Module({ providers: [UsesClient] })
    class FeatureModule {}

    const ref = await compile([WxOAuthModule.forRoot({ ...options, ...extra }), FeatureModule]);
    expect(ref.get(UsesClient).wx).toBeInstanceOf(WXOAuth);
  });

  it('keeps WXOAuth to importers with isGlobal: false', async () => {
    @Injectable()
    class UsesClient {
      constructor(readonly wx: WXOAuth) {}
    }
    @Module({ providers: [UsesClient] })
    class FeatureModule {}

    await expect(
      compile([WxOAuthModule.forRoot({ ...options, isGlobal: false }), FeatureModule]),
    ).rejects.toThrow(/WXOAuth/);
  });

  it("provides every login kind's Passport strategy, registered with passport under its name", async () => {
    const ref = await compile([
      WxOAuthModule.forRoot({ ...options, miniProgram: { appid: 'wxmini', secret: SECRET } }),
    ]);
    for (const [type, name] of [
      [WxOAuthStrategy, WX_STRATEGIES.oauth],
      [WxFollowStrategy, WX_STRATEGIES.follow],
      [WxMiniProgramStrategy, WX_STRATEGIES.miniProgram],
      [WxAppStrategy, WX_STRATEGIES.app],
    ] as const) {
      const strategy = ref.get<object>(type);
      expect(strategy).toBeInstanceOf(type);
      expect((passport as unknown as PassportInternals)._strategy(name)).toBe(strategy);
    }
  });

  it('exports WxAppStates to feature modules, for the route that issues native apps their states', async () => {
    @Injectable()
    class IssuesStates {
      constructor(readonly states: WxAppStates) {}
    }
    @Module({ providers: [IssuesStates] })
    class AppLoginModule {}

    const ref = await compile([
      WxOAuthModule.forRoot({ mobileApp: { appid: 'wxmobile', secret: SECRET } }),
      AppLoginModule,
    ]);
    expect(ref.get(IssuesStates).states).toBeInstanceOf(WxAppStates);
    expect(ref.get(IssuesStates).states).toBe(ref.get(WxAppStates));
  });

  it("exports every public name from the package's entry, the identities', WeCom's and the platform's among them", () => {
    const names = [
      'InjectWxOAuth',
      'InjectWxOAuthOptions',
      'WXOAuth',
      'WX_OAUTH_STORE',
      'WX_STRATEGIES',
      'WxAppLoginRoute',
      'WxAppStates',
      'WxAppTokenService',
      'WxAuthGuard',
      'WxAuthScope',
      'WxComponent',
      'WxComponentClient',
      'WxComponentReceiver',
      'WxFollowLogin',
      'WxFollowLoginRoute',
      'WxHandoff',
      'WxIdentities',
      'WxIdentitiesModule',
      'WxMemoryIdentityStore',
      'WxMemoryStore',
      'WxMiniProgramLoginRoute',
      'WxMiniProgramSessions',
      'WxOAuthError',
      'WxOAuthModule',
      'WxPushReceiver',
      'WxQrLogin',
      'WxReauthorizationRequiredError',
      'WxTenants',
      'WxTokenService',
      'WxUser',
      'WxValidator',
      'WxWeComLoginPanel',
      'WxWeComLoginRoute',
      'isWeChatBrowser',
      'isWeComBrowser',
    ];
    expect(Object.keys(publicApi).sort()).toEqual(names.sort());
    expect(Object.keys(publicApi)).toHaveLength(35);
    expect(publicApi.WxAppStates).toBe(WxAppStates);
    expect(publicApi.WX_STRATEGIES.app).toBe('wechat-app');
    expect(publicApi.WX_STRATEGIES.wecom).toBe('wecom');
  });

  describe("the app's @WxValidator()", () => {
    const profile = { provider: 'wechat', via: 'follow', openid: 'o1' } as WxProfile;

    it('is found in any module, with its own dependencies injected', async () => {
      @Injectable()
      class Users {
        byOpenid(openid: string) {
          return { id: 7, openid };
        }
      }
      @WxValidator()
      class WeChatUsers implements WxValidator {
        constructor(private readonly users: Users) {}
        validate(p: WxWeChatProfile) {
          return this.users.byOpenid(p.openid);
        }
      }
      @Module({ providers: [Users, WeChatUsers] })
      class UsersModule {}
      const ref = await compile([WxOAuthModule.forRoot(options), UsersModule]);
      await ref.init();
      await expect(ref.get(WxValidation).userOf(profile)).resolves.toEqual({ id: 7, openid: 'o1' });
    });

    it('is optional: without one, the user is the profile', async () => {
      const ref = await compile([WxOAuthModule.forRoot(options)]);
      await ref.init();
      await expect(ref.get(WxValidation).userOf(profile)).resolves.toBe(profile);
    });

    it('is one: two stop the app at start-up, naming both', async () => {
      @WxValidator()
      class First implements WxValidator {
        validate() {
          return {};
        }
      }
      @WxValidator()
      class Second implements WxValidator {
        validate() {
          return {};
        }
      }
      moduleRef = await Test.createTestingModule({
        imports: [WxOAuthModule.forRoot(options)],
        providers: [First, Second],
      }).compile();
      await expect(moduleRef.init()).rejects.toThrow(
        /takes one @WxValidator\(\), not 2: First, Second/,
      );
    });

    it('must have validate(profile, tokens)', async () => {
      @WxValidator()
      class NoValidate {}
      moduleRef = await Test.createTestingModule({
        imports: [WxOAuthModule.forRoot(options)],
        providers: [NoValidate],
      }).compile();
      await expect(moduleRef.init()).rejects.toThrow(
        /NoValidate is marked @WxValidator\(\) but has no validate\(profile, tokens\) method/,
      );
    });
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

  const savedToken = (accessToken: string) =>
    JSON.stringify({
      openid: 'o1',
      scope: 'snsapi_base',
      accessToken,
      refreshToken: 'r',
      accessTokenExpiresAt: Date.now() + 3_600_000,
      refreshTokenExpiresAt: Date.now() + 3_600_000,
    });

  it('takes a store from an async factory', async () => {
    const store = new WxMemoryStore();
    const ref = await compile([
      WxOAuthModule.forRootAsync({ useFactory: async () => ({ ...options, store }) }),
    ]);
    expect(ref.get(WX_OAUTH_STORE)).toBe(store);
    await store.set('token:wxmodulespec:o1', savedToken('saved-token'), 3_600_000);
    expect(await ref.get(WxTokenService).getAccessTokenFor('o1')).toBe('saved-token');
    await expect(ref.get(WxTokenService).getAccessTokenFor('o2')).rejects.toMatchObject({
      kind: 'refresh_expired',
    });
  });

  it('lets a test replace the store with overrideProvider, and closes it on shutdown', async () => {
    const store = new WxMemoryStore();
    const close = jest.fn(async () => undefined);
    moduleRef = await Test.createTestingModule({ imports: [WxOAuthModule.forRoot(options)] })
      .overrideProvider(WX_OAUTH_STORE)
      .useValue(Object.assign(store, { close }))
      .compile();
    await store.set('token:wxmodulespec:o1', savedToken('from-the-test'), 3_600_000);
    expect(await moduleRef.get(WxTokenService).getAccessTokenFor('o1')).toBe('from-the-test');
    await moduleRef.close();
    moduleRef = undefined;
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('refuses tenants beside a fixed app, or without a state.secret, and a resolver that is not one', async () => {
    const resolver = {
      tenantOf: () => undefined,
      load: () => undefined,
      tenantOfAppid: () => undefined,
    };
    const error: Error = await compile([
      WxOAuthModule.forRoot({ ...options, tenants: { resolver } }),
    ]).then(
      () => new Error('compiled'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/- appid: is the fixed registration's: with tenants/);
    expect(error.message).toMatch(/- state.secret: is required with tenants/);
    expect(error.message).not.toContain(SECRET);
    await expect(
      compile([
        WxOAuthModule.forRoot({
          callbackURL: options.callbackURL,
          state: { secret: 'a-state-secret-of-16+' },
          tenants: { resolver: { load: () => undefined } as never },
        }),
      ]),
    ).rejects.toThrow(
      /- tenants.resolver: must implement WxTenantResolver \(tenantOf, load, tenantOfAppid\)/,
    );
  });

  it('refuses a store that is not one', async () => {
    await expect(
      compile([WxOAuthModule.forRoot({ ...options, store: {} as never })]),
    ).rejects.toThrow(
      /- store: must implement WxOAuthStore \(get, set, delete, claim, lock, setIfLocked, unlock\)/,
    );
  });

  it('injects the options as the app passed them, in a feature module, with InjectWxOAuthOptions', async () => {
    @Injectable()
    class ShowsCallback {
      constructor(@InjectWxOAuthOptions() readonly options: WxOAuthModuleOptions) {}
    }
    @Module({ imports: [WxOAuthModule.forRoot(options)], providers: [ShowsCallback] })
    class FeatureModule {}
    const ref = await compile([FeatureModule]);
    expect(ref.get(ShowsCallback).options.callbackURL).toBe(options.callbackURL);
    await ref.close();

    @Module({ providers: [ShowsCallback] })
    class GlobalFeatureModule {}
    const global = await compile([
      WxOAuthModule.forRoot({ ...options, isGlobal: true }),
      GlobalFeatureModule,
    ]);
    expect(global.get(ShowsCallback).options.callbackURL).toBe(options.callbackURL);
  });

  it('warns when a mini-program sits beside an official account on the default scope, whose logins give no unionid', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const miniProgram = { appid: 'wxmini', secret: 'm'.repeat(32) };
    const linking = () =>
      warn.mock.calls.filter(([message]) => String(message).includes('no unionid'));
    try {
      await compile([WxOAuthModule.forRoot({ ...options, miniProgram })]);
      expect(linking()).toHaveLength(1);
      await compile([WxOAuthModule.forRoot({ ...options, miniProgram, scope: 'snsapi_base' })]);
      await compile([WxOAuthModule.forRoot({ ...options, miniProgram, scope: 'snsapi_userinfo' })]);
      expect(linking()).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
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
      const warnings = warn.mock.calls.filter(([message]) =>
        String(message).includes('WxMemoryStore'),
      );
      expect(warnings).toHaveLength(1);
    } finally {
      process.env.NODE_ENV = env;
      warn.mockRestore();
    }
  });

  it.each([
    [
      { callbackURL: 'https://app.example.com/auth/wechat/callback#x' },
      /- callbackURL: must not contain #/,
    ],
    [
      {
        appid: undefined,
        secret: undefined,
        officialAccount: { appid: 'wxmp', secret: SECRET },
        website: { appid: 'wxweb', secret: SECRET },
        scope: 'snsapi_login' as const,
      },
      /- scope: is the scope inside WeChat when officialAccount is set: snsapi_base or snsapi_userinfo/,
    ],
    [{ callbackURL: undefined }, /- callbackURL: is required/],
  ])('refuses at start-up what would only fail after WeChat: %j', async (change, message) => {
    await expect(
      compile([WxOAuthModule.forRoot({ ...options, ...change } as WxOAuthModuleOptions)]),
    ).rejects.toThrow(message);
  });

  it('requires the secret', async () => {
    const { secret: _secret, ...noSecret } = options;
    await expect(
      compile([WxOAuthModule.forRoot(noSecret as WxOAuthModuleOptions)]),
    ).rejects.toThrow(/- secret: is required/);
  });
});
