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
    expect(env.WX_APPID).toBeUndefined();
  });

  it('talks to WeChat once WX_APPID and WX_SECRET are set', () => {
    const env = validateDemoEnv({ WX_APPID: 'wx1', WX_SECRET: 's', WX_SANDBOX_URL: 'http://sandbox:3001', WX_SANDBOX_SECRET: 'x' });
    expect(env).toMatchObject({ WX_TARGET: 'wechat', WX_APPID: 'wx1', WX_SECRET: 's' });
    expect(env.WX_API_BASE_URL).toBeUndefined();
  });

  it('uses a separately running sandbox, reached by the browser at its public URL', () => {
    const env = { WX_APPID: '', WX_SECRET: '', WX_SANDBOX_URL: 'http://sandbox:3001', WX_SANDBOX_PUBLIC_URL: 'http://localhost:3001', WX_SANDBOX_SECRET: 'x' };
    expect(validateDemoEnv(env)).toMatchObject({
      WX_TARGET: 'sandbox',
      WX_APPID: 'wx0sandbox0appid',
      WX_SECRET: 'x',
      WX_API_BASE_URL: 'http://sandbox:3001',
      WX_OPEN_BASE_URL: 'http://localhost:3001',
    });
  });

  it('names every bad variable, and never a value', () => {
    const run = () => validateDemoEnv({ PORT: 'eighty', WX_APPID: 'wx1', WX_CALLBACK_URL: 'callback', SESSION_SECRET: 'short-secret-value' });
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
