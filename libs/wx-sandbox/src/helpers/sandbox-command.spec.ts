import { createHmac } from 'node:crypto';
import { WxSandbox } from '../wx-sandbox.js';
import { describeSandboxCommand } from './sandbox-command-banner.js';
import { DEFAULT_SANDBOX_APPS, sandboxCommandConfig } from './sandbox-command-config.js';
import { SANDBOX_COMMAND_USAGE } from './sandbox-command-usage.js';

const CALLBACK = 'https://app.test/cb';
const PUSH_URL = 'http://127.0.0.1:3000/wechat/events';

/** Starts the sandbox as the command does, on a free local port, and what it prints. */
async function startCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ sandbox: WxSandbox; banner: string }> {
  const config = sandboxCommandConfig(argv, { PORT: '0', ...env });
  const sandbox = await WxSandbox.start(config.options);
  if (config.messagePush) sandbox.setMessagePush(config.messagePush.appid, config.messagePush.push);
  return { sandbox, banner: describeSandboxCommand(sandbox, config) };
}

/** The `NAME=value` lines of the banner. */
const variables = (banner: string): Record<string, string> =>
  Object.fromEntries([...banner.matchAll(/^ {2}([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));

/** The documented derivation, written here from the README rather than shared with the code. */
const hmacHex = (seed: string, message: string): string =>
  createHmac('sha256', seed).update(message).digest('hex');

/** The WeCom variables of a command run with its default corp and the default seed. */
const weComVariables = (sandbox: WxSandbox): Record<string, string> => ({
  WX_WECOM_CORPID: 'ww0sandbox0corp',
  WX_WECOM_AGENTID: '1000002',
  WX_WECOM_SECRET: hmacHex('nest-wx-oauth-sandbox', 'ww0sandbox0corp:1000002').slice(0, 32),
  WX_WECOM_CALLBACK_URL: 'http://localhost:3000/auth/wecom',
  WX_WECOM_API_BASE_URL: sandbox.url,
  WX_WECOM_LOGIN_BASE_URL: sandbox.publicUrl,
});

const authorizeStatus = async (
  sandbox: WxSandbox,
  path: string,
  appid: string,
  scope: string,
): Promise<number> => {
  const query = new URLSearchParams([
    ['appid', appid],
    ['redirect_uri', CALLBACK],
    ['response_type', 'code'],
    ['scope', scope],
  ]);
  return (await fetch(`${sandbox.url}${path}?${query}`, { redirect: 'manual' })).status;
};

describe('the sandbox command', () => {
  it('runs, by default, an official account, a website app, a mini-program, a mobile app and a multi-end app bound to one Open Platform account, on 127.0.0.1, and prints every variable the app needs', async () => {
    const { sandbox, banner } = await startCommand([], { WX_SANDBOX_AUTO_APPROVE: 'alice' });
    try {
      const [mp, web, mini, mobile, multiEnd] = sandbox.apps;
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(variables(banner)).toEqual({
        WX_MP_APPID: DEFAULT_SANDBOX_APPS.officialAccount,
        WX_MP_SECRET: mp.secret,
        WX_WEB_APPID: DEFAULT_SANDBOX_APPS.website,
        WX_WEB_SECRET: web.secret,
        WX_MINI_APPID: DEFAULT_SANDBOX_APPS.miniProgram,
        WX_MINI_SECRET: mini.secret,
        WX_MOBILE_APPID: DEFAULT_SANDBOX_APPS.mobileApp,
        WX_MOBILE_SECRET: mobile.secret,
        WX_MULTIEND_APPID: DEFAULT_SANDBOX_APPS.multiEndApp,
        WX_MULTIEND_SECRET: multiEnd.secret,
        WX_CALLBACK_URL: 'http://localhost:3000/auth/wechat/callback',
        WX_SCOPE: 'snsapi_userinfo',
        WX_API_BASE_URL: sandbox.url,
        WX_OPEN_BASE_URL: sandbox.url,
        WX_MP_BASE_URL: sandbox.url,
        WX_COMPONENT_APPID: 'wx0sandbox0component',
        WX_COMPONENT_SECRET: hmacHex('nest-wx-oauth-sandbox', 'wx0sandbox0component').slice(0, 32),
        WX_COMPONENT_TOKEN: hmacHex('nest-wx-oauth-sandbox', 'wx0sandbox0component:token').slice(
          0,
          32,
        ),
        WX_COMPONENT_AES_KEY: hmacHex(
          'nest-wx-oauth-sandbox',
          'wx0sandbox0component:encodingAesKey',
        ).slice(0, 43),
        ...weComVariables(sandbox),
      });
      expect(sandbox.component).toMatchObject({
        secret: variables(banner).WX_COMPONENT_SECRET,
        token: variables(banner).WX_COMPONENT_TOKEN,
        encodingAesKey: variables(banner).WX_COMPONENT_AES_KEY,
        ticketIntervalMs: 600_000,
      });
      expect(banner).toContain(
        "Third-party platform wx0sandbox0component: no event URL, so its tickets reach nobody: --component-event-url <your app's authorisation-event endpoint>",
      );
      expect(banner).toContain(`merchants authorise at ${sandbox.url}/cgi-bin/componentloginpage`);
      expect(banner).toContain(
        `Apps: official account ${mp.appid}, website app ${web.appid}, mini-program ${mini.appid}, ` +
          `mobile app ${mobile.appid}, multi-end app ${multiEnd.appid} (logging in as ${mobile.appid}), ` +
          "bound to Open Platform account 'sandbox-open-platform'.",
      );
      expect(banner).toContain(
        "Message push (服务器配置): not set, so a follow login stays pending: --mp-push-url <your app's message endpoint>, " +
          `or ${sandbox.url}/sandbox/console/message-push`,
      );
      expect(banner).toContain('Requests are logged below');
      expect(mobile).toMatchObject({ kind: 'mobileApp', openPlatform: 'sandbox-open-platform' });
      expect(multiEnd).toMatchObject({ kind: 'multiEndApp', mobileAppid: mobile.appid });
      expect(sandbox.unionidOf('alice', mobile.appid)).toBe(sandbox.unionidOf('alice', mp.appid));
      // The defaults need no appid: there is one app of each kind.
      expect(sandbox.appLogin({ user: 'alice' }).code).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(sandbox.identityCode({ user: 'alice' })).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(sandbox.unionidOf('alice', mini.appid)).toBe(sandbox.unionidOf('alice', mp.appid));
      expect(banner).toContain(`wxLogin.js: ${sandbox.wxLoginJsUrl}`);
      expect(sandbox.unionidOf('alice', web.appid)).toBe(sandbox.unionidOf('alice', mp.appid));
      expect(
        await authorizeStatus(sandbox, '/connect/oauth2/authorize', mp.appid, 'snsapi_userinfo'),
      ).toBe(302);
      expect(await authorizeStatus(sandbox, '/connect/qrconnect', web.appid, 'snsapi_login')).toBe(
        302,
      );
      expect(await authorizeStatus(sandbox, '/connect/qrconnect', mp.appid, 'snsapi_login')).toBe(
        400,
      );
    } finally {
      await sandbox.close();
    }
  });

  describe('its secrets', () => {
    it('are the same at every start: each the first 32 hex digits of HMAC-SHA256 of the appid, keyed with the default seed', async () => {
      const first = await startCommand([]);
      await first.sandbox.close();
      const second = await startCommand([]);
      await second.sandbox.close();
      expect(variables(second.banner)).toEqual({
        ...variables(first.banner),
        WX_API_BASE_URL: second.sandbox.url,
        WX_OPEN_BASE_URL: second.sandbox.url,
        WX_MP_BASE_URL: second.sandbox.url,
        WX_WECOM_API_BASE_URL: second.sandbox.url,
        WX_WECOM_LOGIN_BASE_URL: second.sandbox.url,
      });
      for (const app of first.sandbox.apps) {
        expect(app.secret).toBe(hmacHex('nest-wx-oauth-sandbox', app.appid).slice(0, 32));
      }
      expect(first.banner).toContain(
        'Secrets not given: from the default seed, the same at every start (--seed random: new ones).',
      );
    });

    it('come from the seed given, which the banner names without showing', async () => {
      const { options } = sandboxCommandConfig(['--seed', 'team-seed-42'], {});
      const fromEnv = sandboxCommandConfig([], { WX_SANDBOX_SEED: 'team-seed-42' });
      expect(options.apps?.[0].secret).toBe(
        hmacHex('team-seed-42', DEFAULT_SANDBOX_APPS.officialAccount).slice(0, 32),
      );
      expect(fromEnv.options.apps).toEqual(options.apps);
      expect(options.apps?.[0].secret).not.toBe(
        sandboxCommandConfig([], {}).options.apps?.[0].secret,
      );
      const { sandbox, banner } = await startCommand(['--seed', 'team-seed-42']);
      await sandbox.close();
      expect(banner).toContain(
        'Secrets not given: from the seed you gave (--seed), the same at every start.',
      );
      expect(banner).not.toContain('team-seed-42');
    });

    it('are new at every start with the seed random', async () => {
      const first = sandboxCommandConfig(['--seed', 'random'], {});
      const second = sandboxCommandConfig([], { WX_SANDBOX_SEED: 'random' });
      expect(first.options.apps?.[0].secret).toMatch(/^[0-9a-f]{32}$/);
      expect(first.options.apps?.[0].secret).not.toBe(second.options.apps?.[0].secret);
      const { sandbox, banner } = await startCommand(['--seed', 'random']);
      await sandbox.close();
      expect(banner).toContain('Secrets not given: random, new at every start (--seed random).');
    });

    it("are the single app's too", () => {
      const { options } = sandboxCommandConfig(['--appid', 'wx0one'], {});
      expect(options.secret).toBe(hmacHex('nest-wx-oauth-sandbox', 'wx0one').slice(0, 32));
    });
  });

  it('takes every option as a flag or from the environment, the flag first, and names a given secret without showing it', async () => {
    const { sandbox, banner } = await startCommand(
      ['--web-appid', 'wx0web', '--web-secret', 'web-secret-value', '--callback-url', CALLBACK],
      {
        WX_SANDBOX_MP_APPID: 'wx0mp',
        WX_SANDBOX_MP_SECRET: 'mp-secret-value',
        WX_SANDBOX_WEB_APPID: 'wx0ignored',
        WX_SANDBOX_AUTO_APPROVE: 'bob',
        WX_SANDBOX_PUBLIC_URL: 'http://localhost:3001',
        WX_SANDBOX_OPEN_PLATFORM: 'acme',
      },
    );
    try {
      expect(variables(banner)).toMatchObject({
        WX_MP_APPID: 'wx0mp',
        WX_MP_SECRET: '$WX_SANDBOX_MP_SECRET',
        WX_WEB_APPID: 'wx0web',
        WX_WEB_SECRET: '<the --web-secret you gave>',
        WX_CALLBACK_URL: CALLBACK,
        WX_OPEN_BASE_URL: 'http://localhost:3001',
        WX_MP_BASE_URL: 'http://localhost:3001',
      });
      expect(banner).not.toContain('secret-value');
      expect(banner).toContain(`listening on ${sandbox.url} (browsers use http://localhost:3001)`);
      expect(banner).toContain('(approving as bob)');
      expect(sandbox.apps.map(({ appid, openPlatform }) => [appid, openPlatform])).toEqual([
        ['wx0mp', 'acme'],
        ['wx0web', 'acme'],
      ]);
    } finally {
      await sandbox.close();
    }
  });

  it("runs merchants' official accounts beside the site's apps, named in the banner, not in its variables", async () => {
    const { sandbox, banner } = await startCommand([
      '--mp-appid',
      'wx0mp',
      '--merchant-accounts',
      'wx0tea:Tea House 茶馆, wx0books',
    ]);
    try {
      expect(
        sandbox.apps.map(({ appid, kind, openPlatform }) => [appid, kind, openPlatform]),
      ).toEqual([
        ['wx0mp', 'officialAccount', 'sandbox-open-platform'],
        ['wx0tea', 'officialAccount', undefined],
        ['wx0books', 'officialAccount', undefined],
      ]);
      expect(variables(banner)).toMatchObject({ WX_MP_APPID: 'wx0mp' });
      expect(banner.match(/WX_MP_APPID=/g)).toHaveLength(1);
      expect(banner).toContain("Merchants' official accounts: wx0tea (Tea House 茶馆), wx0books (");
    } finally {
      await sandbox.close();
    }
  });

  it('refuses merchant accounts with the one-app form, and a malformed list', () => {
    expect(() =>
      sandboxCommandConfig(['--appid', 'wx0one', '--merchant-accounts', 'wx0tea'], {}),
    ).toThrow('--appid (one app) and --merchant-accounts (apps of their own) do not go together');
    expect(() =>
      sandboxCommandConfig([], { WX_SANDBOX_MERCHANT_ACCOUNTS: 'wx0tea,bad id' }),
    ).toThrow(
      "$WX_SANDBOX_MERCHANT_ACCOUNTS must be appid or appid:Name, comma-separated, got 'bad id'",
    );
  });

  it.each([
    ['--mp-secret', 'WX_SANDBOX_MP_SECRET', 'officialAccount'],
    ['--web-secret', 'WX_SANDBOX_WEB_SECRET', 'website'],
    ['--mini-secret', 'WX_SANDBOX_MINI_SECRET', 'miniProgram'],
    ['--mobile-secret', 'WX_SANDBOX_MOBILE_SECRET', 'mobileApp'],
  ] as const)(
    'runs %s alone as that app with its documented default appid',
    (flag, variable, kind) => {
      for (const { options } of [
        sandboxCommandConfig([flag, 'given-secret'], {}),
        sandboxCommandConfig([], { [variable]: 'given-secret' }),
      ]) {
        expect(options.apps).toEqual([
          {
            appid: DEFAULT_SANDBOX_APPS[kind],
            secret: 'given-secret',
            kind,
            openPlatform: 'sandbox-open-platform',
          },
        ]);
      }
    },
  );

  it('runs --mp-secret alone, printing the default appid and naming the secret', async () => {
    const { sandbox, banner } = await startCommand(['--mp-secret', 'mp-secret-value']);
    try {
      expect(variables(banner)).toMatchObject({
        WX_MP_APPID: DEFAULT_SANDBOX_APPS.officialAccount,
        WX_MP_SECRET: '<the --mp-secret you gave>',
      });
      expect(sandbox.app(DEFAULT_SANDBOX_APPS.officialAccount).secret).toBe('mp-secret-value');
    } finally {
      await sandbox.close();
    }
  });

  it('takes the mobile and multi-end apps as flags or from the environment, the multi-end app logging in as the mobile app', async () => {
    const { sandbox, banner } = await startCommand(
      ['--mobile-appid', 'wx0mobile', '--multiend-secret', 'multiend-secret-value'],
      {
        WX_SANDBOX_MOBILE_APPID: 'wx0ignored',
        WX_SANDBOX_MOBILE_SECRET: 'mobile-secret-value',
      },
    );
    try {
      expect(variables(banner)).toEqual({
        WX_MOBILE_APPID: 'wx0mobile',
        WX_MOBILE_SECRET: '$WX_SANDBOX_MOBILE_SECRET',
        WX_MULTIEND_APPID: DEFAULT_SANDBOX_APPS.multiEndApp,
        WX_MULTIEND_SECRET: '<the --multiend-secret you gave>',
        WX_CALLBACK_URL: 'http://localhost:3000/auth/wechat/callback',
        WX_API_BASE_URL: sandbox.url,
        WX_OPEN_BASE_URL: sandbox.url,
        ...weComVariables(sandbox),
      });
      expect(banner).not.toContain('secret-value');
      expect(banner).not.toContain('Message push');
      expect(sandbox.apps).toMatchObject([
        { appid: 'wx0mobile', kind: 'mobileApp', secret: 'mobile-secret-value' },
        {
          appid: DEFAULT_SANDBOX_APPS.multiEndApp,
          kind: 'multiEndApp',
          secret: 'multiend-secret-value',
          mobileAppid: 'wx0mobile',
        },
      ]);
    } finally {
      await sandbox.close();
    }
  });

  it('prints no multi-end variables when only a mobile app is named', async () => {
    const { sandbox, banner } = await startCommand([], { WX_SANDBOX_MOBILE_APPID: 'wx0mobile' });
    try {
      expect(Object.keys(variables(banner))).toEqual([
        'WX_MOBILE_APPID',
        'WX_MOBILE_SECRET',
        'WX_CALLBACK_URL',
        'WX_API_BASE_URL',
        'WX_OPEN_BASE_URL',
        ...Object.keys(weComVariables(sandbox)),
      ]);
      expect(sandbox.apps.map((app) => app.kind)).toEqual(['mobileApp']);
    } finally {
      await sandbox.close();
    }
  });

  describe('the third-party platform', () => {
    it('takes its appid, secret, Token, key, event URL and ticket interval, and names the given secrets', async () => {
      const { sandbox, banner } = await startCommand(
        [
          '--component-appid',
          'wx0saas',
          '--component-secret',
          'component-secret-value',
          '--component-event-url',
          'http://127.0.0.1:3000/wechat/component',
          '--component-ticket-interval',
          '0',
        ],
        {
          WX_SANDBOX_COMPONENT_TOKEN: 'componentToken1',
          WX_SANDBOX_COMPONENT_AES_KEY: 'A'.repeat(43),
        },
      );
      try {
        expect(variables(banner)).toMatchObject({
          WX_COMPONENT_APPID: 'wx0saas',
          WX_COMPONENT_SECRET: '<the --component-secret you gave>',
          WX_COMPONENT_TOKEN: '$WX_SANDBOX_COMPONENT_TOKEN',
          WX_COMPONENT_AES_KEY: '$WX_SANDBOX_COMPONENT_AES_KEY',
        });
        expect(banner).not.toContain('component-secret-value');
        expect(banner).not.toContain('componentToken1');
        expect(banner).toContain(
          'Third-party platform wx0saas: a ticket only on demand to http://127.0.0.1:3000/wechat/component',
        );
        expect(sandbox.component).toEqual({
          appid: 'wx0saas',
          secret: 'component-secret-value',
          token: 'componentToken1',
          encodingAesKey: 'A'.repeat(43),
          eventUrl: 'http://127.0.0.1:3000/wechat/component',
          ticketIntervalMs: 0,
          name: 'Sandbox Platform',
          redirectDomains: undefined,
        });
      } finally {
        await sandbox.close();
      }
    });

    it('refuses a bad Token, key, event URL or interval, naming the option', () => {
      const config = (env: NodeJS.ProcessEnv) => () => sandboxCommandConfig([], env);
      expect(config({ WX_SANDBOX_COMPONENT_TOKEN: 'a-b' })).toThrow(
        '$WX_SANDBOX_COMPONENT_TOKEN must be 3 to 32 letters and digits',
      );
      expect(config({ WX_SANDBOX_COMPONENT_AES_KEY: 'short' })).toThrow(
        '$WX_SANDBOX_COMPONENT_AES_KEY must be 43 letters and digits',
      );
      expect(config({ WX_SANDBOX_COMPONENT_EVENT_URL: 'ftp://x' })).toThrow(
        '$WX_SANDBOX_COMPONENT_EVENT_URL must be an absolute http(s) URL',
      );
      expect(config({ WX_SANDBOX_COMPONENT_TICKET_INTERVAL: '1.5' })).toThrow(
        '$WX_SANDBOX_COMPONENT_TICKET_INTERVAL must be a whole number of seconds',
      );
    });

    it('prints no platform when no official account or mini-program runs', async () => {
      const { sandbox, banner } = await startCommand([], { WX_SANDBOX_WEB_APPID: 'wx0web' });
      try {
        expect(banner).not.toContain('WX_COMPONENT_');
        expect(banner).not.toContain('Third-party platform');
      } finally {
        await sandbox.close();
      }
    });
  });

  describe("the official account's message push", () => {
    it('is set from --mp-push-url, its Token and EncodingAESKey made up from the seed and printed', async () => {
      const { sandbox, banner } = await startCommand(['--mp-push-url', PUSH_URL]);
      try {
        const appid = DEFAULT_SANDBOX_APPS.officialAccount;
        const push = sandbox.messagePushOf(appid);
        expect(push).toEqual({
          url: PUSH_URL,
          token: hmacHex('nest-wx-oauth-sandbox', `${appid}:token`).slice(0, 32),
          encodingAesKey: hmacHex('nest-wx-oauth-sandbox', `${appid}:encodingAesKey`).slice(0, 43),
        });
        expect(variables(banner)).toMatchObject({
          WX_MP_BASE_URL: sandbox.url,
          WX_MP_TOKEN: push?.token,
          WX_MP_AES_KEY: push?.encodingAesKey,
        });
        expect(banner).toContain(
          `Message push (服务器配置): ${PUSH_URL}, safe mode; check or change it at ${sandbox.url}/sandbox/console/message-push`,
        );
      } finally {
        await sandbox.close();
      }
    });

    it('takes its Token and key from flags or the environment, named and never shown; plain as the key is plain mode', async () => {
      const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
      const safe = await startCommand(['--mp-push-token', 'TokenFromFlag1'], {
        WX_SANDBOX_MP_PUSH_URL: PUSH_URL,
        WX_SANDBOX_MP_PUSH_AES_KEY: key,
      });
      await safe.sandbox.close();
      expect(variables(safe.banner)).toMatchObject({
        WX_MP_TOKEN: '<the --mp-push-token you gave>',
        WX_MP_AES_KEY: '$WX_SANDBOX_MP_PUSH_AES_KEY',
      });
      expect(safe.banner).not.toContain('TokenFromFlag1');
      expect(safe.banner).not.toContain(key);
      expect(safe.sandbox.messagePushOf(safe.sandbox.appid)).toEqual({
        url: PUSH_URL,
        token: 'TokenFromFlag1',
        encodingAesKey: key,
      });

      const plain = await startCommand(['--mp-push-url', PUSH_URL, '--mp-push-aes-key', 'plain']);
      await plain.sandbox.close();
      expect(plain.sandbox.messagePushOf(plain.sandbox.appid)?.encodingAesKey).toBeUndefined();
      expect(variables(plain.banner)).not.toHaveProperty('WX_MP_AES_KEY');
      expect(variables(plain.banner)).toHaveProperty('WX_MP_TOKEN');
      expect(plain.banner).toContain('plain mode');
    });

    it("is the single app's in the one-app form", async () => {
      const { sandbox, banner } = await startCommand([
        '--appid',
        'wx0one',
        '--mp-push-url',
        PUSH_URL,
      ]);
      await sandbox.close();
      expect(sandbox.messagePushOf('wx0one')?.url).toBe(PUSH_URL);
      expect(variables(banner)).toMatchObject({ WX_APPID: 'wx0one', WX_MP_BASE_URL: sandbox.url });
      expect(variables(banner)).toHaveProperty('WX_MP_TOKEN');
    });
  });

  describe('its WeCom corp', () => {
    it('runs the default corp, whose app logs in over HTTP with the secret printed', async () => {
      const { sandbox, banner } = await startCommand([], {
        WX_SANDBOX_WECOM_AUTO_APPROVE: 'zhangsan',
      });
      try {
        const printed = variables(banner);
        expect(banner).toContain(
          "WeCom: corp ww0sandbox0corp 'Sandbox Corp', app 1000002; members zhangsan, lisi, " +
            "wangwu, zhaoliu (outside the app's range); non-members guest, customer (external " +
            'contact) (signed in as zhangsan)',
        );
        const token = await fetch(
          `${printed.WX_WECOM_API_BASE_URL}/cgi-bin/gettoken?` +
            new URLSearchParams({
              corpid: printed.WX_WECOM_CORPID,
              corpsecret: printed.WX_WECOM_SECRET,
            }),
        ).then((res) => res.json() as Promise<Record<string, unknown>>);
        expect(token).toMatchObject({ errcode: 0, expires_in: 7200 });
        const login = await fetch(
          `${printed.WX_WECOM_LOGIN_BASE_URL}/wwlogin/sso/login?` +
            new URLSearchParams({
              login_type: 'CorpApp',
              appid: printed.WX_WECOM_CORPID,
              agentid: printed.WX_WECOM_AGENTID,
              redirect_uri: CALLBACK,
            }),
          { redirect: 'manual' },
        );
        const code = new URL(login.headers.get('location')!).searchParams.get('code')!;
        const user = await fetch(
          `${sandbox.url}/cgi-bin/auth/getuserinfo?` +
            new URLSearchParams({ access_token: String(token.access_token), code }),
        ).then((res) => res.json());
        expect(user).toEqual({ errcode: 0, errmsg: 'ok', userid: 'ZhangSan' });
        expect(sandbox.corpApp().visibleTo).not.toContain('zhaoliu');
      } finally {
        await sandbox.close();
      }
    });

    it('takes its corpid, agentid and secret as flags or from the environment, naming a given secret', async () => {
      const { sandbox, banner } = await startCommand(
        ['--wecom-corpid', 'ww0acme', '--wecom-secret', 'wecom-secret-value'],
        { WX_SANDBOX_WECOM_AGENTID: '1000042', WX_SANDBOX_WECOM_CORPID: 'ww0ignored' },
      );
      try {
        expect(variables(banner)).toMatchObject({
          WX_WECOM_CORPID: 'ww0acme',
          WX_WECOM_AGENTID: '1000042',
          WX_WECOM_SECRET: '<the --wecom-secret you gave>',
        });
        expect(banner).not.toContain('wecom-secret-value');
        expect(sandbox.corpApp('ww0acme', '1000042').secret).toBe('wecom-secret-value');
        expect(banner).toContain('(chosen on the login pages)');
      } finally {
        await sandbox.close();
      }
    });
  });

  it('lists every flag in its help', () => {
    for (const flag of [
      '--mobile-appid <appid>      [WX_SANDBOX_MOBILE_APPID]',
      '--mobile-secret <secret>    [WX_SANDBOX_MOBILE_SECRET]',
      '--multiend-appid <appid>    [WX_SANDBOX_MULTIEND_APPID]',
      '--multiend-secret <secret>  [WX_SANDBOX_MULTIEND_SECRET]',
      '--mp-push-url <url>         [WX_SANDBOX_MP_PUSH_URL]',
      '--mp-push-token <token>     [WX_SANDBOX_MP_PUSH_TOKEN]',
      '--mp-push-aes-key <key>     [WX_SANDBOX_MP_PUSH_AES_KEY]',
      "--seed <seed>               [WX_SANDBOX_SEED] the seed of the secrets not given (default 'nest-wx-oauth-sandbox')",
      '--quiet                     [WX_SANDBOX_QUIET=1]',
      '--wecom-corpid <corpid>     [WX_SANDBOX_WECOM_CORPID]',
      '--wecom-agentid <agentid>   [WX_SANDBOX_WECOM_AGENTID]',
      '--wecom-secret <secret>     [WX_SANDBOX_WECOM_SECRET]',
      '--wecom-auto-approve <key>  [WX_SANDBOX_WECOM_AUTO_APPROVE]',
    ]) {
      expect(SANDBOX_COMMAND_USAGE).toContain(flag);
    }
  });

  it('logs requests unless --quiet or WX_SANDBOX_QUIET says not to', async () => {
    expect(sandboxCommandConfig([], {}).quiet).toBe(false);
    expect(sandboxCommandConfig(['--quiet'], {}).quiet).toBe(true);
    expect(sandboxCommandConfig([], { WX_SANDBOX_QUIET: '1' }).quiet).toBe(true);
    expect(sandboxCommandConfig([], { WX_SANDBOX_QUIET: '0' }).quiet).toBe(false);
    const config = sandboxCommandConfig(['--quiet'], { PORT: '0' });
    const sandbox = await WxSandbox.start(config.options);
    await sandbox.close();
    expect(describeSandboxCommand(sandbox, config)).toContain('Requests are not logged (--quiet).');
  });

  it('keeps the single-app form, for both flows, with WX_APPID and WX_SECRET', async () => {
    const { sandbox, banner } = await startCommand(['--appid', 'wx0one'], {
      WX_SANDBOX_SECRET: 'one-app-secret',
      WX_SANDBOX_AUTO_APPROVE: 'alice',
    });
    try {
      expect(variables(banner)).toMatchObject({
        WX_APPID: 'wx0one',
        WX_SECRET: '$WX_SANDBOX_SECRET',
      });
      expect(banner).not.toContain('one-app-secret');
      expect(sandbox.apps).toHaveLength(1);
      expect(
        await authorizeStatus(sandbox, '/connect/oauth2/authorize', 'wx0one', 'snsapi_base'),
      ).toBe(302);
      expect(await authorizeStatus(sandbox, '/connect/qrconnect', 'wx0one', 'snsapi_login')).toBe(
        302,
      );
    } finally {
      await sandbox.close();
    }
  });

  it.each([
    [
      ['--appid', 'wx0one'],
      { WX_SANDBOX_MP_APPID: 'wx0mp' },
      /^--appid \(one app\) and \$WX_SANDBOX_MP_APPID \(an app per kind\) do not go together$/,
    ],
    [
      [],
      { WX_SANDBOX_APPID: 'wx0one', WX_SANDBOX_MULTIEND_SECRET: 's' },
      /^\$WX_SANDBOX_APPID \(one app\) and \$WX_SANDBOX_MULTIEND_SECRET \(an app per kind\)/,
    ],
    [
      ['--multiend-appid', 'wx0donut'],
      {},
      /^--multiend-appid runs a multi-end app, which logs in as a mobile app: give --mobile-appid \(or --mobile-secret\) too$/,
    ],
    [
      [],
      { WX_SANDBOX_MULTIEND_SECRET: 'orphan' },
      /^\$WX_SANDBOX_MULTIEND_SECRET runs a multi-end app, which logs in as a mobile app: give \$WX_SANDBOX_MOBILE_APPID \(or \$WX_SANDBOX_MOBILE_SECRET\) too$/,
    ],
    [['--mp-push-token', 'abc123'], {}, /^--mp-push-token is set but --mp-push-url is not$/],
    [
      [],
      { WX_SANDBOX_MP_PUSH_AES_KEY: 'plain' },
      /^\$WX_SANDBOX_MP_PUSH_AES_KEY is set but \$WX_SANDBOX_MP_PUSH_URL is not$/,
    ],
    [
      ['--web-appid', 'wx0web', '--mp-push-url', PUSH_URL],
      {},
      /^--mp-push-url sets the official account's message push, but no official account runs: give --mp-appid \(or --mp-secret\) too$/,
    ],
    [
      ['--mp-push-url', PUSH_URL, '--mp-push-token', 'no!'],
      {},
      /^--mp-push-token must be 3 to 32 letters and digits$/,
    ],
    [
      ['--mp-push-url', PUSH_URL],
      { WX_SANDBOX_MP_PUSH_AES_KEY: 'too-short-key' },
      /^\$WX_SANDBOX_MP_PUSH_AES_KEY must be 43 letters and digits$/,
    ],
    [
      [],
      { WX_SANDBOX_MP_PUSH_URL: 'ftp://x' },
      /^\$WX_SANDBOX_MP_PUSH_URL must be an absolute http\(s\) URL/,
    ],
    [['--port', '70000'], {}, /^--port must be 0 to 65535/],
    [[], { PORT: 'http' }, /^\$PORT must be 0 to 65535/],
    [[], { WX_SANDBOX_QUIET: 'maybe' }, /^\$WX_SANDBOX_QUIET must be 1 or 0$/],
    [['--wecom-agentid', 'crm'], {}, /^--wecom-agentid must be digits, e\.g\. 1000002, got 'crm'$/],
  ])('refuses %j with %j, naming the option as it was given', (argv, env, message) => {
    expect(() => sandboxCommandConfig(argv, env)).toThrow(message);
  });

  it('never echoes a refused Token or key', () => {
    const refusal = (argv: string[], env: NodeJS.ProcessEnv): string => {
      try {
        sandboxCommandConfig(argv, env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    const token = refusal(['--mp-push-url', PUSH_URL, '--mp-push-token', 'Tok!secret'], {});
    expect(token).toBe('--mp-push-token must be 3 to 32 letters and digits');
    const key = refusal([], {
      WX_SANDBOX_MP_PUSH_URL: PUSH_URL,
      WX_SANDBOX_MP_PUSH_AES_KEY: 'SecretKeyValue',
    });
    expect(key).toBe('$WX_SANDBOX_MP_PUSH_AES_KEY must be 43 letters and digits');
  });
});
