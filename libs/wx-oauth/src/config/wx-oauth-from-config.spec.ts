import { Injectable } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import type { WXOAuth } from '../client/wx-oauth.client.js';
import type { WxOAuthModuleOptions } from '../options/wx-oauth-module-options.interface.js';
import { InjectWxOAuth } from '../wx-oauth.decorators.js';
import { WxOAuthModule } from '../wx-oauth.module.js';
import { WX_OAUTH_CONFIG_KEYS, wxOAuthFromConfig } from './index.js';

const MOBILE_APPID = 'wx0m0b11e0app001';
const MOBILE_SECRET = 'mobile-config-secret-0123456789';
const MULTIEND_APPID = 'wx0mu1t1end0app1';
const MULTIEND_SECRET = 'multi-end-config-secret-012345';
const SECRETS = [MOBILE_SECRET, MULTIEND_SECRET];

/** The options `wxOAuthFromConfig()` builds from `values`, as the module's factory gets them. */
async function optionsFrom(values: Record<string, string>): Promise<WxOAuthModuleOptions> {
  const { useFactory } = wxOAuthFromConfig();
  return (await useFactory!(new ConfigService(values))) as WxOAuthModuleOptions;
}

/** The message `values` are refused with, checked never to carry a secret. */
async function refusal(values: Record<string, string>): Promise<string> {
  const error = await optionsFrom(values).then(
    () => new Error('the configuration was accepted'),
    (e: Error) => e,
  );
  for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  return error.message;
}

describe('wxOAuthFromConfig: native apps', () => {
  // ConfigService reads the environment first: the spec's keys alone count.
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('WX_')) delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('knows the mobile and multi-end apps’ keys', () => {
    expect(WX_OAUTH_CONFIG_KEYS).toEqual(
      expect.arrayContaining([
        'WX_MOBILE_APPID',
        'WX_MOBILE_SECRET',
        'WX_MULTIEND_APPID',
        'WX_MULTIEND_SECRET',
      ]),
    );
  });

  it('reads a mobile app alone, which needs no callback URL and no WX_APPID', async () => {
    await expect(
      optionsFrom({ WX_MOBILE_APPID: MOBILE_APPID, WX_MOBILE_SECRET: MOBILE_SECRET }),
    ).resolves.toEqual({ mobileApp: { appid: MOBILE_APPID, secret: MOBILE_SECRET } });
  });

  it('reads a multi-end app beside it', async () => {
    await expect(
      optionsFrom({
        WX_MOBILE_APPID: MOBILE_APPID,
        WX_MOBILE_SECRET: MOBILE_SECRET,
        WX_MULTIEND_APPID: MULTIEND_APPID,
        WX_MULTIEND_SECRET: MULTIEND_SECRET,
        WX_MINI_APPID: '',
      }),
    ).resolves.toEqual({
      mobileApp: { appid: MOBILE_APPID, secret: MOBILE_SECRET },
      multiEndApp: { appid: MULTIEND_APPID, secret: MULTIEND_SECRET },
    });
  });

  it.each([
    [{ WX_MOBILE_APPID: MOBILE_APPID }, '- WX_MOBILE_SECRET: is required with WX_MOBILE_APPID'],
    [{ WX_MOBILE_SECRET: MOBILE_SECRET }, '- WX_MOBILE_APPID: is required with WX_MOBILE_SECRET'],
    [
      { WX_MULTIEND_APPID: MULTIEND_APPID, WX_MULTIEND_SECRET: '' },
      '- WX_MULTIEND_SECRET: is required with WX_MULTIEND_APPID',
    ],
    [
      { WX_MULTIEND_SECRET: MULTIEND_SECRET },
      '- WX_MULTIEND_APPID: is required with WX_MULTIEND_SECRET',
    ],
  ])('names the key missing from a pair: %j', async (values, message) => {
    expect(await refusal(values)).toContain(message);
  });

  it('names the native apps’ keys among those that would do when none is set', async () => {
    expect(await refusal({})).toContain(
      '- WX_APPID: is required (or WX_MP_APPID / WX_WEB_APPID / WX_MINI_APPID / WX_MOBILE_APPID / WX_MULTIEND_APPID / WX_WECOM_CORPID)',
    );
  });

  it('gives @InjectWxOAuth(kind) the apps the keys set', async () => {
    @Injectable()
    class NativeClients {
      constructor(
        @InjectWxOAuth('mobileApp') readonly mobile: WXOAuth | null,
        @InjectWxOAuth('multiEndApp') readonly multiEnd: WXOAuth | null,
      ) {}
    }
    Object.assign(process.env, {
      WX_MULTIEND_APPID: MULTIEND_APPID,
      WX_MULTIEND_SECRET: MULTIEND_SECRET,
    });
    const moduleRef: TestingModule = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        WxOAuthModule.forRootAsync(wxOAuthFromConfig()),
      ],
      providers: [NativeClients],
    }).compile();
    try {
      const { mobile, multiEnd } = moduleRef.get(NativeClients);
      expect(mobile).toBeNull();
      expect(multiEnd?.appid).toBe(MULTIEND_APPID);
    } finally {
      await moduleRef.close();
    }
  });
});

describe('wxOAuthFromConfig: WeCom', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('WX_')) delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
  });
  const WECOM_SECRET = 'wecom-config-secret-0123456789';

  it('reads the WeCom app from its keys, alone', async () => {
    await expect(
      optionsFrom({
        WX_WECOM_CORPID: 'ww0sandbox0corp',
        WX_WECOM_AGENTID: '1000002',
        WX_WECOM_SECRET: WECOM_SECRET,
        WX_WECOM_CALLBACK_URL: 'https://app.example.com/auth/wecom',
        WX_WECOM_API_BASE_URL: 'http://127.0.0.1:3020',
        WX_WECOM_LOGIN_BASE_URL: 'http://127.0.0.1:3020',
      }),
    ).resolves.toEqual({
      wecom: {
        corpid: 'ww0sandbox0corp',
        agentid: '1000002',
        secret: WECOM_SECRET,
        callbackURL: 'https://app.example.com/auth/wecom',
      },
      wecomApiBaseUrl: 'http://127.0.0.1:3020',
      wecomLoginBaseUrl: 'http://127.0.0.1:3020',
    });
  });

  it('names the missing keys by their variables, never the secret', async () => {
    const message = await refusal({ WX_WECOM_SECRET: WECOM_SECRET });
    expect(message).not.toContain(WECOM_SECRET);
    expect(message).toContain('- WX_WECOM_CORPID: is required');
    expect(message).toContain('- WX_WECOM_AGENTID: is required');
    expect(message).toContain('- WX_WECOM_CALLBACK_URL: is required');
  });
});

describe('wxOAuthFromConfig: the third-party platform', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('WX_')) delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
  });
  const PLATFORM = {
    WX_COMPONENT_APPID: 'wx0config0platform',
    WX_COMPONENT_SECRET: 'platform-config-secret-0123456',
    WX_COMPONENT_TOKEN: 'platformToken42',
    WX_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  };
  const APP = {
    WX_APPID: 'wx0config0one0app',
    WX_SECRET: 'one-app-config-secret-0123',
    WX_CALLBACK_URL: 'https://saas.example.com/auth/wechat/callback',
  };

  it('reads the platform from its four keys', async () => {
    expect(WX_OAUTH_CONFIG_KEYS).toEqual(expect.arrayContaining(Object.keys(PLATFORM)));
    await expect(optionsFrom({ ...APP, ...PLATFORM })).resolves.toMatchObject({
      component: {
        appid: PLATFORM.WX_COMPONENT_APPID,
        secret: PLATFORM.WX_COMPONENT_SECRET,
        token: PLATFORM.WX_COMPONENT_TOKEN,
        encodingAesKey: PLATFORM.WX_COMPONENT_AES_KEY,
      },
    });
  });

  it('names a missing key by its name, never a value', async () => {
    const message = await refusal({ ...APP, ...PLATFORM, WX_COMPONENT_AES_KEY: '' });
    expect(message).toContain('- WX_COMPONENT_AES_KEY:');
    expect(message).not.toContain(PLATFORM.WX_COMPONENT_SECRET);
  });
});
