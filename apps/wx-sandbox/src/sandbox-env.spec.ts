import { WxSandbox } from 'nest-wx-oauth/testing';
import { describeSandbox, sandboxConfigFromEnv } from './sandbox-env.js';

const CALLBACK = 'https://app.test/cb';

/** Starts the sandbox as the command does, on a free local port. */
async function startFromEnv(env: NodeJS.ProcessEnv): Promise<{ sandbox: WxSandbox; line: string }> {
  const config = sandboxConfigFromEnv({ HOST: '127.0.0.1', PORT: '0', ...env });
  const sandbox = await WxSandbox.start(config.options);
  return { sandbox, line: describeSandbox(sandbox, config) };
}

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
  it('keeps the single-app form: one app for both flows, the appid printed, the secret never', async () => {
    const { sandbox, line } = await startFromEnv({
      WX_SANDBOX_APPID: 'wx0one',
      WX_SANDBOX_SECRET: 'one-app-secret',
      WX_SANDBOX_AUTO_APPROVE: 'alice',
    });
    try {
      expect(line).toBe(
        `WeChat sandbox listening on ${sandbox.url} (appid wx0one, secret from WX_SANDBOX_SECRET)`,
      );
      expect(sandbox.apps).toHaveLength(1);
      expect(sandbox.secret).toBe('one-app-secret');
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

  it('defaults to the single app with a random secret', async () => {
    const { sandbox, line } = await startFromEnv({});
    try {
      expect(line).toBe(
        `WeChat sandbox listening on ${sandbox.url} (appid wx0sandbox0appid, random secret: set WX_SANDBOX_SECRET to share one)`,
      );
      expect(line).not.toContain(sandbox.secret);
    } finally {
      await sandbox.close();
    }
  });

  it('runs an official account and a website app bound to one Open Platform account, each only on its endpoint', async () => {
    const { sandbox, line } = await startFromEnv({
      WX_SANDBOX_MP_APPID: 'wx0mp',
      WX_SANDBOX_MP_SECRET: 'mp-secret-value',
      WX_SANDBOX_WEB_APPID: 'wx0web',
      WX_SANDBOX_AUTO_APPROVE: 'bob',
      WX_SANDBOX_PUBLIC_URL: 'http://localhost:3001',
    });
    try {
      expect(line).toBe(
        `WeChat sandbox listening on ${sandbox.url}, browsers use http://localhost:3001: ` +
          'official account wx0mp (secret from WX_SANDBOX_MP_SECRET), website app wx0web (random secret: set WX_SANDBOX_WEB_SECRET to share one), ' +
          "bound to Open Platform account 'sandbox-open-platform'; wxLogin.js at http://localhost:3001/connect/zh_CN/htmledition/js/wxLogin.js",
      );
      for (const app of sandbox.apps) expect(line).not.toContain(app.secret);
      expect(sandbox.apps.map(({ appid, kind }) => [appid, kind])).toEqual([
        ['wx0mp', 'officialAccount'],
        ['wx0web', 'website'],
      ]);
      expect(sandbox.unionidOf('bob', 'wx0web')).toBe(sandbox.unionidOf('bob', 'wx0mp'));
      expect(
        await authorizeStatus(sandbox, '/connect/oauth2/authorize', 'wx0mp', 'snsapi_userinfo'),
      ).toBe(302);
      expect(await authorizeStatus(sandbox, '/connect/qrconnect', 'wx0web', 'snsapi_login')).toBe(
        302,
      );
      expect(await authorizeStatus(sandbox, '/connect/qrconnect', 'wx0mp', 'snsapi_login')).toBe(
        400,
      );
      expect(
        await authorizeStatus(sandbox, '/connect/oauth2/authorize', 'wx0web', 'snsapi_base'),
      ).toBe(400);
    } finally {
      await sandbox.close();
    }
  });

  it('runs one app of the two-app form alone, bound to a named Open Platform account', () => {
    const { options } = sandboxConfigFromEnv({
      WX_SANDBOX_WEB_APPID: 'wx0web',
      WX_SANDBOX_WEB_SECRET: 's',
      WX_SANDBOX_OPEN_PLATFORM: 'acme',
    });
    expect(options.apps).toEqual([
      { appid: 'wx0web', secret: 's', kind: 'website', openPlatform: 'acme' },
    ]);
    expect(options.appid).toBeUndefined();
  });

  it.each([
    [
      { WX_SANDBOX_APPID: 'wx0one', WX_SANDBOX_MP_APPID: 'wx0mp' },
      'set either WX_SANDBOX_APPID/WX_SANDBOX_SECRET (one app) or WX_SANDBOX_MP_*/WX_SANDBOX_WEB_* (two apps), not both',
    ],
    [
      { WX_SANDBOX_WEB_SECRET: 'orphan' },
      'WX_SANDBOX_WEB_SECRET is set but WX_SANDBOX_WEB_APPID is not',
    ],
  ])('refuses a mixed or incomplete environment %j', (env, message) => {
    expect(() => sandboxConfigFromEnv(env)).toThrow(message);
  });
});
