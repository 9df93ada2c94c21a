import { WxSandbox } from '../wx-sandbox.js';
import {
  DEFAULT_SANDBOX_APPS,
  SANDBOX_COMMAND_USAGE,
  describeSandboxCommand,
  sandboxCommandConfig,
} from './sandbox-command.js';

const CALLBACK = 'https://app.test/cb';

/** Starts the sandbox as the command does, on a free local port, and what it prints. */
async function startCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ sandbox: WxSandbox; banner: string }> {
  const config = sandboxCommandConfig(argv, { PORT: '0', ...env });
  const sandbox = await WxSandbox.start(config.options);
  return { sandbox, banner: describeSandboxCommand(sandbox, config) };
}

/** The `NAME=value` lines of the banner. */
const variables = (banner: string): Record<string, string> =>
  Object.fromEntries([...banner.matchAll(/^ {2}([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));

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
        WX_API_BASE_URL: sandbox.url,
        WX_OPEN_BASE_URL: sandbox.url,
      });
      expect(banner).toContain(
        `Apps: official account ${mp.appid}, website app ${web.appid}, mini-program ${mini.appid}, ` +
          `mobile app ${mobile.appid}, multi-end app ${multiEnd.appid} (logging in as ${mobile.appid}), ` +
          "bound to Open Platform account 'sandbox-open-platform'.",
      );
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

  it('takes the mobile and multi-end apps as flags or from the environment, the multi-end app logging in as the mobile app', async () => {
    const { sandbox, banner } = await startCommand(
      ['--mobile-appid', 'wx0mobile', '--multiend-secret', 'multiend-secret-value'],
      {
        WX_SANDBOX_MOBILE_APPID: 'wx0ignored',
        WX_SANDBOX_MOBILE_SECRET: 'mobile-secret-value',
        WX_SANDBOX_MULTIEND_APPID: 'wx0donut',
      },
    );
    try {
      expect(variables(banner)).toEqual({
        WX_MOBILE_APPID: 'wx0mobile',
        WX_MOBILE_SECRET: '$WX_SANDBOX_MOBILE_SECRET',
        WX_MULTIEND_APPID: 'wx0donut',
        WX_MULTIEND_SECRET: '<the --multiend-secret you gave>',
        WX_CALLBACK_URL: 'http://localhost:3000/auth/wechat/callback',
        WX_API_BASE_URL: sandbox.url,
        WX_OPEN_BASE_URL: sandbox.url,
      });
      expect(banner).not.toContain('secret-value');
      expect(sandbox.apps).toMatchObject([
        { appid: 'wx0mobile', kind: 'mobileApp', secret: 'mobile-secret-value' },
        {
          appid: 'wx0donut',
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
      ]);
      expect(sandbox.apps.map((app) => app.kind)).toEqual(['mobileApp']);
    } finally {
      await sandbox.close();
    }
  });

  it('lists the new flags in its help', () => {
    for (const flag of [
      '--mobile-appid <appid>      [WX_SANDBOX_MOBILE_APPID]',
      '--mobile-secret <secret>    [WX_SANDBOX_MOBILE_SECRET]',
      '--multiend-appid <appid>    [WX_SANDBOX_MULTIEND_APPID]',
      '--multiend-secret <secret>  [WX_SANDBOX_MULTIEND_SECRET]',
    ]) {
      expect(SANDBOX_COMMAND_USAGE).toContain(flag);
    }
  });

  it('runs one app of the two alone when only that one is named', () => {
    const { options } = sandboxCommandConfig([], { WX_SANDBOX_WEB_APPID: 'wx0web' });
    expect(options.apps).toEqual([
      {
        appid: 'wx0web',
        secret: undefined,
        kind: 'website',
        openPlatform: 'sandbox-open-platform',
      },
    ]);
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
      /--appid \(one app\) and \$WX_SANDBOX_MP_APPID \(an app per kind\)/,
    ],
    [
      [],
      { WX_SANDBOX_APPID: 'wx0one', WX_SANDBOX_MULTIEND_SECRET: 's' },
      /\$WX_SANDBOX_APPID \(one app\) and \$WX_SANDBOX_MULTIEND_SECRET \(an app per kind\)/,
    ],
    [
      ['--multiend-appid', 'wx0donut'],
      {},
      /the multi-end app needs a mobile app: set WX_SANDBOX_MOBILE_APPID \(--mobile-appid\) too/,
    ],
    [
      [],
      { WX_SANDBOX_MOBILE_SECRET: 'orphan', WX_SANDBOX_WEB_APPID: 'wx0web' },
      /\$WX_SANDBOX_MOBILE_SECRET is set but WX_SANDBOX_MOBILE_APPID is not/,
    ],
    [
      [],
      { WX_SANDBOX_WEB_SECRET: 'orphan' },
      /\$WX_SANDBOX_WEB_SECRET is set but WX_SANDBOX_WEB_APPID is not/,
    ],
    [['--port', '70000'], {}, /--port must be 0 to 65535/],
  ])('refuses %j with %j', (argv, env, message) => {
    expect(() => sandboxCommandConfig(argv, env)).toThrow(message);
  });
});
