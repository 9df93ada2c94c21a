import { loadDemoConfig } from './demo.config.js';

describe('loadDemoConfig', () => {
  it('runs against an in-process sandbox with nothing configured', () => {
    const config = loadDemoConfig({});
    expect(config).toMatchObject({
      port: 3000,
      callbackURL: 'http://localhost:3000/auth/wechat/callback',
      scope: 'snsapi_userinfo',
      sessionSecretGenerated: true,
      target: { kind: 'in-process-sandbox' },
    });
    expect(config.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('talks to WeChat once WX_APPID and WX_SECRET are set', () => {
    expect(loadDemoConfig({ WX_APPID: 'wx1', WX_SECRET: 's', WX_SANDBOX_URL: 'http://sandbox:3001', WX_SANDBOX_SECRET: 'x' }).target).toEqual({
      kind: 'wechat',
      connection: { appid: 'wx1', secret: 's', apiBaseUrl: undefined, openBaseUrl: undefined },
    });
  });

  it('uses a separately running sandbox, reached by the browser at its public URL', () => {
    const env = { WX_APPID: '', WX_SECRET: '', WX_SANDBOX_URL: 'http://sandbox:3001', WX_SANDBOX_PUBLIC_URL: 'http://localhost:3001', WX_SANDBOX_SECRET: 'x' };
    expect(loadDemoConfig(env).target).toEqual({
      kind: 'sandbox',
      connection: { appid: 'wx0sandbox0appid', secret: 'x', apiBaseUrl: 'http://sandbox:3001', openBaseUrl: 'http://localhost:3001' },
    });
  });

  it('names every bad variable, and never a value', () => {
    const run = () => loadDemoConfig({ PORT: 'eighty', WX_APPID: 'wx1', WX_CALLBACK_URL: 'callback', SESSION_SECRET: 'short-secret-value' });
    expect(run).toThrow(/Invalid environment for the demo:/);
    const message = (() => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    for (const name of ['PORT', 'WX_SECRET', 'WX_CALLBACK_URL', 'SESSION_SECRET']) expect(message).toContain(`- ${name}: `);
    expect(message).not.toContain('short-secret-value');
  });
});
