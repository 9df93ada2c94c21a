import type { WxOAuthModuleOptions } from './wx-oauth-module-options.interface.js';
import { resolveWxOAuthOptions } from './wx-oauth.options.js';

const CALLBACK = 'https://app.example.com/auth/wechat/callback';
const mobileApp = { appid: 'wx0m0b11e0app001', secret: 'mobile-app-options-secret-0123' };
const multiEndApp = { appid: 'wx0mu1t1end0app1', secret: 'multi-end-options-secret-01234' };
const officialAccount = { appid: 'wx0fficia1acc0unt', secret: 'oa-options-secret-0123456789' };
const SECRETS = [mobileApp, multiEndApp, officialAccount].map(({ secret }) => secret);

/** The message the options are refused with. */
function refusal(options: object): string {
  try {
    resolveWxOAuthOptions(options as WxOAuthModuleOptions);
  } catch (error) {
    const { message } = error as Error;
    for (const secret of SECRETS) expect(message).not.toContain(secret);
    return message;
  }
  throw new Error('the options were accepted');
}

describe('resolveWxOAuthOptions: native apps', () => {
  it.each([
    ['a mobile app', { mobileApp }],
    ['a multi-end app', { multiEndApp }],
    ['both', { mobileApp, multiEndApp }],
  ])('takes %s alone, with no callbackURL and no appid', (_name, options) => {
    const settings = resolveWxOAuthOptions(options);
    expect(settings).toMatchObject(options);
    expect(settings.callbackURL).toBeUndefined();
    expect(settings.appid).toBeUndefined();
  });

  it('still wants the callbackURL beside a browser app', () => {
    expect(refusal({ mobileApp, officialAccount })).toMatch(/- callbackURL: is required/);
    expect(
      refusal({ multiEndApp, appid: 'wx0ne0app0000001', secret: 'one-app-secret-0123' }),
    ).toMatch(/- callbackURL: is required/);
    expect(() =>
      resolveWxOAuthOptions({ mobileApp, officialAccount, callbackURL: CALLBACK }),
    ).not.toThrow();
  });

  it('names every kind an app may be given as when none is', () => {
    expect(refusal({ callbackURL: CALLBACK })).toContain(
      '- appid: is required (or officialAccount.appid / website.appid / miniProgram.appid / mobileApp.appid / multiEndApp.appid / wecom.corpid)',
    );
  });

  it.each([
    [
      { mobileApp: { appid: mobileApp.appid } },
      '- mobileApp.secret: is required with mobileApp.appid',
    ],
    [
      { mobileApp: { secret: mobileApp.secret } },
      '- mobileApp.appid: is required with mobileApp.secret',
    ],
    [
      { multiEndApp: { appid: multiEndApp.appid } },
      '- multiEndApp.secret: is required with multiEndApp.appid',
    ],
    [
      { multiEndApp: { secret: multiEndApp.secret } },
      '- multiEndApp.appid: is required with multiEndApp.secret',
    ],
  ])('wants an app with its secret and a secret with its app: %j', (options, message) => {
    expect(refusal(options)).toContain(message);
  });

  it('refuses a fixed mobile or multi-end app beside tenants, each named', () => {
    const message = refusal({
      mobileApp,
      multiEndApp,
      callbackURL: CALLBACK,
      state: { secret: 'tenants-options-secret-0123' },
      tenants: {
        resolver: {
          tenantOf: () => undefined,
          load: () => undefined,
          tenantOfAppid: () => undefined,
        },
      },
    });
    expect(message).toMatch(/- mobileApp: is the fixed registration's: with tenants/);
    expect(message).toMatch(/- multiEndApp: is the fixed registration's: with tenants/);
  });

  describe('appState', () => {
    it('defaults to five minutes and 20 unspent states a client', () => {
      expect(resolveWxOAuthOptions({ mobileApp }).appState).toEqual({
        ttl: 300_000,
        maxPerClient: 20,
      });
      expect(resolveWxOAuthOptions({ mobileApp, appState: { maxPerClient: 5 } }).appState).toEqual({
        ttl: 300_000,
        maxPerClient: 5,
      });
    });

    it.each([
      [{ ttl: 9_999 }, 'appState.ttl'],
      [{ ttl: 3_600_001 }, 'appState.ttl'],
      [{ ttl: 60_000.5 }, 'appState.ttl'],
      [{ maxPerClient: 0 }, 'appState.maxPerClient'],
      [{ maxPerClient: 10_001 }, 'appState.maxPerClient'],
      [{ maxPerClient: '20' }, 'appState.maxPerClient'],
    ])('refuses %j, naming it', (appState, name) => {
      expect(refusal({ mobileApp, appState })).toMatch(new RegExp(`- ${name}: `));
    });
  });
});

describe('resolveWxOAuthOptions: WeCom', () => {
  const wecom = {
    corpid: 'ww0sandbox0corp',
    agentid: 1000002,
    secret: 'wecom-options-secret-0123456789',
    callbackURL: 'https://app.example.com/auth/wecom',
  };
  const weComRefusal = (options: object) => {
    const message = refusal(options);
    expect(message).not.toContain(wecom.secret);
    return message;
  };

  it("takes a WeCom app alone, with no callbackURL and no appid, its AgentId as digits, WeCom's hosts by default", () => {
    const settings = resolveWxOAuthOptions({ wecom });
    expect(settings.wecom).toEqual({ ...wecom, agentid: '1000002' });
    expect(settings).toMatchObject({
      wecomApiBaseUrl: 'https://qyapi.weixin.qq.com',
      wecomLoginBaseUrl: 'https://login.work.weixin.qq.com',
      openBaseUrl: 'https://open.weixin.qq.com',
    });
    expect(settings.callbackURL).toBeUndefined();
  });

  it('takes it beside the WeChat apps, which still want their callbackURL', () => {
    expect(weComRefusal({ wecom, officialAccount })).toMatch(/- callbackURL: is required/);
    expect(() =>
      resolveWxOAuthOptions({ wecom, officialAccount, callbackURL: CALLBACK }),
    ).not.toThrow();
  });

  it('names each missing or malformed part, never the secret', () => {
    const message = weComRefusal({ wecom: { secret: wecom.secret } });
    expect(message).toMatch(/- wecom\.corpid: is required/);
    expect(message).toMatch(/- wecom\.agentid: is required/);
    expect(message).toMatch(/- wecom\.callbackURL: is required/);
    expect(
      weComRefusal({ wecom: { ...wecom, agentid: 'app-1', callbackURL: '/auth/wecom' } }),
    ).toMatch(
      /- wecom\.agentid: must be the app's AgentId, digits\n.*- wecom\.callbackURL: must be an absolute http\(s\) URL/s,
    );
  });

  it("is the fixed registration's: with tenants, each tenant has its own", () => {
    const resolver = { tenantOf: () => 'a', load: () => undefined, tenantOfAppid: () => undefined };
    expect(
      weComRefusal({
        wecom,
        tenants: { resolver },
        state: { secret: 'tenants-state-secret-0123' },
        callbackURL: CALLBACK,
      }),
    ).toMatch(/- wecom: is the fixed registration's/);
  });
});

describe('resolveWxOAuthOptions: the third-party platform', () => {
  const component = {
    appid: 'wx0options0platform',
    secret: 'platform-options-secret-0123456',
    token: 'platformToken42',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  };

  it('takes the platform beside the apps', () => {
    const settings = resolveWxOAuthOptions({ officialAccount, callbackURL: CALLBACK, component });
    expect(settings.component).toEqual(component);
  });

  it('names each missing or malformed part, never its value', () => {
    const message = refusal({
      officialAccount,
      callbackURL: CALLBACK,
      component: { appid: component.appid, token: 'no', encodingAesKey: 'short-key' },
    });
    expect(message).toMatch(/- component\.secret: is required/);
    expect(message).toMatch(/- component\.token: must be 3 to 32 letters and digits/);
    expect(message).toMatch(/- component\.encodingAesKey: must be 43 letters and digits/);
    expect(message).not.toContain('short-key');
    expect(
      refusal({
        officialAccount,
        callbackURL: CALLBACK,
        component: { ...component, encodingAesKey: undefined },
      }),
    ).toMatch(/- component\.encodingAesKey:/);
  });

  it('takes the platform with tenants (its merchants), and beside a WeCom app', () => {
    const resolver = { tenantOf: () => 'a', load: () => undefined, tenantOfAppid: () => undefined };
    const tenants = { tenants: { resolver }, state: { secret: 'tenants-state-secret-0123' } };
    expect(
      resolveWxOAuthOptions({ ...tenants, callbackURL: CALLBACK, component }).component,
    ).toEqual(component);
    const wecom = {
      corpid: 'ww0sandbox0corp',
      agentid: '1000002',
      secret: 'wecom-options-secret-0123456789',
      callbackURL: 'https://app.example.com/auth/wecom',
    };
    const settings = resolveWxOAuthOptions({ wecom, component });
    expect(settings).toMatchObject({ wecom, component });
  });
});
