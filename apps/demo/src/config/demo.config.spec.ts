import { validateDemoEnv } from './demo.config.js';

describe('validateDemoEnv', () => {
  it('runs against an in-process sandbox with nothing configured', () => {
    const env = validateDemoEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      WX_CALLBACK_URL: 'http://localhost:3000/auth/wechat/callback',
      WX_SCOPE: 'snsapi_userinfo',
      SESSION_SECRET_GENERATED: true,
      WX_TARGET: 'in-process-sandbox',
    });
    expect(env.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(env.WX_MP_APPID).toBeUndefined();
  });

  it("takes the seed's WX_APPID and WX_SECRET as an official account", () => {
    const env = validateDemoEnv({
      WX_APPID: 'wx1',
      WX_SECRET: 's',
      WX_SANDBOX_URL: 'http://sandbox:3001',
      WX_SANDBOX_SECRET: 'x',
    });
    expect(env).toMatchObject({ WX_TARGET: 'wechat', WX_MP_APPID: 'wx1', WX_MP_SECRET: 's' });
    expect(env.WX_WEB_APPID).toBeUndefined();
    expect(env.WX_API_BASE_URL).toBeUndefined();
  });

  it('takes an official account and a website app', () => {
    const env = validateDemoEnv({
      WX_MP_APPID: 'wxmp',
      WX_MP_SECRET: 'a',
      WX_WEB_APPID: 'wxweb',
      WX_WEB_SECRET: 'b',
    });
    expect(env).toMatchObject({ WX_TARGET: 'wechat', WX_MP_APPID: 'wxmp', WX_WEB_APPID: 'wxweb' });
  });

  it('takes a native app: a mobile app, with or without its multi-end app', () => {
    const env = validateDemoEnv({
      WX_MP_APPID: 'wxmp',
      WX_MP_SECRET: 'a',
      WX_MOBILE_APPID: 'wxmobile',
      WX_MOBILE_SECRET: 'c',
      WX_MULTIEND_APPID: 'wxmultiend',
      WX_MULTIEND_SECRET: 'd',
    });
    expect(env).toMatchObject({
      WX_TARGET: 'wechat',
      WX_MOBILE_APPID: 'wxmobile',
      WX_MOBILE_SECRET: 'c',
      WX_MULTIEND_APPID: 'wxmultiend',
      WX_MULTIEND_SECRET: 'd',
    });
    expect(() => validateDemoEnv({ WX_MOBILE_APPID: 'wxmobile' })).toThrow(
      /- WX_MOBILE_SECRET: is required with WX_MOBILE_APPID/,
    );
    expect(() => validateDemoEnv({ WX_MULTIEND_SECRET: 'd' })).toThrow(
      /- WX_MULTIEND_APPID: is required with WX_MULTIEND_SECRET/,
    );
  });

  it("uses a separately running sandbox's apps, reached by the browser at its public URL", () => {
    const env = {
      WX_APPID: '',
      WX_SANDBOX_URL: 'http://sandbox:3001',
      WX_SANDBOX_PUBLIC_URL: 'http://localhost:3001',
      WX_SANDBOX_MP_APPID: 'wx0mp',
      WX_SANDBOX_MP_SECRET: 'x',
      WX_SANDBOX_WEB_APPID: 'wx0web',
      WX_SANDBOX_WEB_SECRET: 'y',
      WX_SANDBOX_MINI_APPID: 'wx0mini',
      WX_SANDBOX_MINI_SECRET: 'z',
      WX_SANDBOX_MOBILE_APPID: 'wx0mobile',
      WX_SANDBOX_MOBILE_SECRET: 'm',
      WX_SANDBOX_MULTIEND_APPID: 'wx0multiend',
      WX_SANDBOX_MULTIEND_SECRET: 'd',
    };
    expect(validateDemoEnv(env)).toMatchObject({
      WX_TARGET: 'sandbox',
      WX_MP_APPID: 'wx0mp',
      WX_MP_SECRET: 'x',
      WX_WEB_APPID: 'wx0web',
      WX_WEB_SECRET: 'y',
      WX_MINI_APPID: 'wx0mini',
      WX_MINI_SECRET: 'z',
      WX_MOBILE_APPID: 'wx0mobile',
      WX_MOBILE_SECRET: 'm',
      WX_MULTIEND_APPID: 'wx0multiend',
      WX_MULTIEND_SECRET: 'd',
      WX_API_BASE_URL: 'http://sandbox:3001',
      WX_OPEN_BASE_URL: 'http://localhost:3001',
    });
  });

  it("checks a separate sandbox's pushes with its Token and key, and never gives them to real WeChat", () => {
    const sandbox = {
      WX_SANDBOX_URL: 'http://sandbox:3001',
      WX_SANDBOX_MP_APPID: 'wx0mp',
      WX_SANDBOX_MP_SECRET: 'x',
      WX_SANDBOX_MP_PUSH_TOKEN: 'sandboxToken',
      WX_SANDBOX_MP_PUSH_AES_KEY: 'k'.repeat(43),
      WX_MP_TOKEN: '',
      WX_MP_AES_KEY: '',
    };
    expect(validateDemoEnv(sandbox)).toMatchObject({
      WX_TARGET: 'sandbox',
      WX_MP_TOKEN: 'sandboxToken',
      WX_MP_AES_KEY: 'k'.repeat(43),
    });
    expect(
      validateDemoEnv({ ...sandbox, WX_SANDBOX_MP_PUSH_AES_KEY: 'plain' }).WX_MP_AES_KEY,
    ).toBeUndefined();
    // The push the user set wins, in both services (the compose file gives the sandbox the same).
    expect(validateDemoEnv({ ...sandbox, WX_MP_TOKEN: 'own' })).toMatchObject({
      WX_MP_TOKEN: 'own',
    });
    const wechat = validateDemoEnv({ ...sandbox, WX_MP_APPID: 'wxreal', WX_MP_SECRET: 's' });
    expect(wechat.WX_TARGET).toBe('wechat');
    expect(wechat.WX_MP_TOKEN).toBeUndefined();
    expect(wechat.WX_MP_AES_KEY).toBeUndefined();
  });

  it("logs WeCom members in through the in-process sandbox's corp, back at /auth/wecom", () => {
    const env = validateDemoEnv({});
    expect(env.WX_WECOM_CALLBACK_URL).toBe('http://localhost:3000/auth/wecom');
    // The corp is the sandbox's, which the app module adds: no key names it.
    expect(env.WX_WECOM_CORPID).toBeUndefined();
    expect(validateDemoEnv({ PORT: '8080', WX_WECOM_CALLBACK_URL: '' }).WX_WECOM_CALLBACK_URL).toBe(
      'http://localhost:8080/auth/wecom',
    );
  });

  it('takes a real WeCom app, alone or beside the WeChat apps, and then uses no sandbox', () => {
    const weCom = {
      WX_WECOM_CORPID: 'ww1234567890abcdef',
      WX_WECOM_AGENTID: '1000002',
      WX_WECOM_SECRET: 'wecom-secret-value',
    };
    expect(validateDemoEnv({ ...weCom, WX_SANDBOX_URL: 'http://sandbox:3001' })).toMatchObject({
      ...weCom,
      WX_TARGET: 'wechat',
      WX_WECOM_CALLBACK_URL: 'http://localhost:3000/auth/wecom',
    });
    expect(
      validateDemoEnv({
        ...weCom,
        WX_WECOM_CALLBACK_URL: 'https://example.com/auth/wecom',
        WX_MP_APPID: 'wxmp',
        WX_MP_SECRET: 'a',
      }),
    ).toMatchObject({
      WX_TARGET: 'wechat',
      WX_MP_APPID: 'wxmp',
      WX_WECOM_CORPID: 'ww1234567890abcdef',
      WX_WECOM_CALLBACK_URL: 'https://example.com/auth/wecom',
    });
  });

  it('has no WeCom login with real WeChat and no WeCom app, whatever callback is given', () => {
    const env = validateDemoEnv({
      WX_MP_APPID: 'wxmp',
      WX_MP_SECRET: 'a',
      WX_WECOM_CALLBACK_URL: 'https://example.com/auth/wecom',
    });
    expect(env.WX_WECOM_CORPID).toBeUndefined();
    // The library would take a callback alone for a WeCom app missing its corpid.
    expect(env.WX_WECOM_CALLBACK_URL).toBeUndefined();
  });

  it('wants the WeCom app whole, its AgentId digits, and names the variables, never a value', () => {
    const message = (env: Record<string, string>) => {
      try {
        validateDemoEnv(env);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(message({ WX_WECOM_CORPID: 'ww1' })).toMatch(
      /- WX_WECOM_AGENTID: is required with WX_WECOM_CORPID\n {2}- WX_WECOM_SECRET: is required with WX_WECOM_CORPID/,
    );
    const secretOnly = message({ WX_WECOM_SECRET: 'wecom-secret-value' });
    expect(secretOnly).toContain('- WX_WECOM_CORPID: is required with WX_WECOM_SECRET');
    expect(secretOnly).not.toContain('wecom-secret-value');
    expect(
      message({ WX_WECOM_CORPID: 'ww1', WX_WECOM_AGENTID: 'app-2', WX_WECOM_SECRET: 's' }),
    ).toContain("- WX_WECOM_AGENTID: must be digits, the app's AgentId");
    expect(
      message({ WX_SANDBOX_URL: 'http://sandbox:3001', WX_SANDBOX_WECOM_CORPID: 'ww0' }),
    ).toMatch(/- WX_SANDBOX_WECOM_AGENTID: is required with WX_SANDBOX_WECOM_CORPID/);
  });

  it("uses a separately running sandbox's WeCom corp: its API, and its login page where the browser reaches it", () => {
    const weCom = {
      WX_SANDBOX_URL: 'http://sandbox:3001',
      WX_SANDBOX_PUBLIC_URL: 'http://localhost:3001',
      WX_SANDBOX_WECOM_CORPID: 'ww0sandbox0corp',
      WX_SANDBOX_WECOM_AGENTID: '1000002',
      WX_SANDBOX_WECOM_SECRET: 'w',
    };
    // Its corp alone is enough: the demo then offers the WeCom login alone.
    const env = validateDemoEnv(weCom);
    expect(env).toMatchObject({
      WX_TARGET: 'sandbox',
      WX_WECOM_CORPID: 'ww0sandbox0corp',
      WX_WECOM_AGENTID: '1000002',
      WX_WECOM_SECRET: 'w',
      WX_WECOM_API_BASE_URL: 'http://sandbox:3001',
      WX_WECOM_LOGIN_BASE_URL: 'http://localhost:3001',
      // WeCom's in-client authorize page is on open.weixin.qq.com: here the sandbox's public URL.
      WX_OPEN_BASE_URL: 'http://localhost:3001',
      WX_WECOM_CALLBACK_URL: 'http://localhost:3000/auth/wecom',
    });
    expect(env.WX_MP_APPID).toBeUndefined();
    // Without its corp, no WeCom login.
    const weChatOnly = validateDemoEnv({
      WX_SANDBOX_URL: 'http://sandbox:3001',
      WX_SANDBOX_MP_APPID: 'wx0mp',
      WX_SANDBOX_MP_SECRET: 'x',
    });
    expect(weChatOnly.WX_WECOM_CORPID).toBeUndefined();
    expect(weChatOnly.WX_WECOM_API_BASE_URL).toBeUndefined();
    expect(weChatOnly.WX_WECOM_CALLBACK_URL).toBeUndefined();
  });

  it("runs as a SaaS with WX_COMPONENT_*, or with DEMO_SAAS on a sandbox's platform, and not otherwise", () => {
    const platform = {
      WX_COMPONENT_APPID: 'wxcomponent',
      WX_COMPONENT_SECRET: 'component-secret',
      WX_COMPONENT_TOKEN: 'componentToken',
      WX_COMPONENT_AES_KEY: 'k'.repeat(43),
    };
    expect(validateDemoEnv({}).DEMO_SAAS).toBe(false);
    expect(validateDemoEnv({ DEMO_SAAS: '' }).DEMO_SAAS).toBe(false);
    expect(validateDemoEnv({ DEMO_SAAS: 'true' })).toMatchObject({
      DEMO_SAAS: true,
      WX_TARGET: 'in-process-sandbox',
    });
    // Real WeChat's platform, alone (a SaaS with no app of its own) or beside the site's apps.
    expect(validateDemoEnv(platform)).toMatchObject({
      ...platform,
      DEMO_SAAS: true,
      WX_TARGET: 'wechat',
    });
    expect(validateDemoEnv({ ...platform, WX_MP_APPID: 'wxmp', WX_MP_SECRET: 'a' })).toMatchObject({
      DEMO_SAAS: true,
      WX_TARGET: 'wechat',
      WX_MP_APPID: 'wxmp',
    });
    expect(() =>
      validateDemoEnv({ DEMO_SAAS: 'true', WX_MP_APPID: 'wxmp', WX_MP_SECRET: 'a' }),
    ).toThrow(/- WX_COMPONENT_APPID: is required with DEMO_SAAS and real WeChat/);
    expect(() => validateDemoEnv({ DEMO_SAAS: 'maybe' })).toThrow(/- DEMO_SAAS: /);

    // A separate sandbox's platform, as the sandbox command's variables name it.
    const sandbox = {
      WX_SANDBOX_URL: 'http://sandbox:3001',
      WX_SANDBOX_SECRET: 'x',
      WX_SANDBOX_COMPONENT_SECRET: 'sandbox-component-secret',
      WX_SANDBOX_COMPONENT_TOKEN: 'sandboxComponentToken',
      WX_SANDBOX_COMPONENT_AES_KEY: 'c'.repeat(43),
    };
    expect(validateDemoEnv({ ...sandbox, DEMO_SAAS: 'true' })).toMatchObject({
      DEMO_SAAS: true,
      WX_TARGET: 'sandbox',
      WX_COMPONENT_APPID: 'wx0sandbox0component',
      WX_COMPONENT_SECRET: 'sandbox-component-secret',
      WX_COMPONENT_TOKEN: 'sandboxComponentToken',
      WX_COMPONENT_AES_KEY: 'c'.repeat(43),
    });
    // Without DEMO_SAAS the sandbox's platform is left alone; WX_COMPONENT_* set win over it.
    const off = validateDemoEnv(sandbox);
    expect(off.DEMO_SAAS).toBe(false);
    expect(off.WX_COMPONENT_APPID).toBeUndefined();
    const own = validateDemoEnv({ ...sandbox, ...platform, DEMO_SAAS: 'true' });
    expect(own).toMatchObject({ WX_COMPONENT_SECRET: 'component-secret', DEMO_SAAS: true });
    expect(() =>
      validateDemoEnv({
        WX_SANDBOX_URL: 'http://sandbox:3001',
        WX_SANDBOX_SECRET: 'x',
        DEMO_SAAS: 'true',
      }),
    ).toThrow(/- WX_SANDBOX_COMPONENT_SECRET: is required with DEMO_SAAS and WX_SANDBOX_URL/);
  });

  it('keeps the users in data/demo.sqlite, another file, or PostgreSQL at DATABASE_URL', () => {
    expect(validateDemoEnv({})).toMatchObject({ DEMO_DB_FILE: 'data/demo.sqlite' });
    expect(validateDemoEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    expect(validateDemoEnv({ DEMO_DB_FILE: '/var/lib/demo/users.sqlite' }).DEMO_DB_FILE).toBe(
      '/var/lib/demo/users.sqlite',
    );
    for (const url of [
      'postgres://demo:pass@postgres:5432/demo',
      'postgresql://demo@127.0.0.1/demo?sslmode=disable',
    ])
      expect(validateDemoEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    const mysql = () => validateDemoEnv({ DATABASE_URL: 'mysql://demo:hunter2@db/demo' });
    expect(mysql).toThrow(/- DATABASE_URL: /);
    expect(mysql).not.toThrow(/hunter2/);
  });

  it('keeps the tokens in one Redis, a Redis Cluster, or the master Redis Sentinel watches', () => {
    expect(
      validateDemoEnv({ REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7000,[::1]:7001' }),
    ).toMatchObject({
      REDIS_CLUSTER_NODES: [
        { host: 'redis-1', port: 6379 },
        { host: '10.0.0.2', port: 7000 },
        { host: '::1', port: 7001 },
      ],
    });
    expect(
      validateDemoEnv({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'mymaster' }),
    ).toMatchObject({
      REDIS_SENTINELS: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      REDIS_SENTINEL_NAME: 'mymaster',
    });
    expect(() => validateDemoEnv({ REDIS_CLUSTER_NODES: 'redis-1' })).toThrow(
      /- REDIS_CLUSTER_NODES: must be host:port, comma-separated/,
    );
    expect(() => validateDemoEnv({ REDIS_SENTINELS: 's1:26379' })).toThrow(
      /- REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS/,
    );
    expect(() =>
      validateDemoEnv({ REDIS_URL: 'redis://redis:6379', REDIS_CLUSTER_NODES: 'redis-1:6379' }),
    ).toThrow(
      /- REDIS_URL: set one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS, not several/,
    );
    // docker-compose passes the unused ones empty.
    expect(
      validateDemoEnv({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis-1:6379', REDIS_SENTINELS: '' }),
    ).toMatchObject({ REDIS_CLUSTER_NODES: [{ host: 'redis-1', port: 6379 }] });
  });

  it('names every bad variable, and never a value', () => {
    const run = () =>
      validateDemoEnv({
        PORT: 'eighty',
        WX_APPID: 'wx1',
        WX_WEB_SECRET: 'web-secret-value',
        WX_CALLBACK_URL: 'callback',
        SESSION_SECRET: 'short-secret-value',
      });
    expect(run).toThrow(/Invalid environment for the demo:/);
    const message = (() => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    for (const name of ['PORT', 'WX_SECRET', 'WX_WEB_APPID', 'WX_CALLBACK_URL', 'SESSION_SECRET'])
      expect(message).toContain(`- ${name}: `);
    expect(message).not.toContain('short-secret-value');
    expect(message).not.toContain('web-secret-value');
  });
});
