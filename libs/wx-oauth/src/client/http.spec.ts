import { WxSandbox } from '../testing/index.js';
import { WxHttpClient } from './http.js';

describe('WxHttpClient', () => {
  let sandbox: WxSandbox;
  let http: WxHttpClient;
  let refreshToken: string;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  beforeEach(async () => {
    http = new WxHttpClient({ apiBaseUrl: sandbox.url, timeout: 500, retry: true });
    const token = await http.get<{ refresh_token: string }>(
      '/sns/oauth2/access_token',
      exchange(),
      false,
    );
    refreshToken = token.refresh_token;
    sandbox.resetStats();
  });
  afterEach(() => {
    http.close();
    sandbox.clearFaults();
  });
  afterAll(() => sandbox.close());

  const exchange = (code = sandbox.issueCode('alice', 'snsapi_base')) => ({
    appid: sandbox.appid,
    secret: sandbox.secret,
    code,
    grant_type: 'authorization_code',
  });
  const refresh = () =>
    http.get(
      '/sns/oauth2/refresh_token',
      { appid: sandbox.appid, grant_type: 'refresh_token', refresh_token: refreshToken },
      true,
    );

  describe('retries', () => {
    it('an idempotent call once after a reset connection', async () => {
      sandbox.inject({ type: 'reset' }, { endpoint: 'refresh_token', times: 1 });
      await expect(refresh()).resolves.toMatchObject({ refresh_token: refreshToken });
      expect(sandbox.stats.requests.refresh_token).toBe(2);
    });

    it('an idempotent call once after errcode -1, and then gives up', async () => {
      sandbox.inject(
        { type: 'errcode', errcode: -1, errmsg: 'system error' },
        { endpoint: 'refresh_token', times: 2 },
      );
      await expect(refresh()).rejects.toMatchObject({ kind: 'busy', errcode: -1 });
      expect(sandbox.stats.requests.refresh_token).toBe(2);
    });

    it('never the code exchange, which WeChat would answer with 40163', async () => {
      sandbox.inject({ type: 'reset' }, { endpoint: 'access_token', times: 1 });
      await expect(http.get('/sns/oauth2/access_token', exchange(), false)).rejects.toMatchObject({
        kind: 'network',
      });
      expect(sandbox.stats.requests.access_token).toBe(1);
    });

    it('nothing when retry is off', async () => {
      http = new WxHttpClient({ apiBaseUrl: sandbox.url, timeout: 500, retry: false });
      sandbox.inject({ type: 'reset' }, { endpoint: 'refresh_token', times: 1 });
      await expect(refresh()).rejects.toMatchObject({ kind: 'network' });
      expect(sandbox.stats.requests.refresh_token).toBe(1);
    });
  });

  describe('errors', () => {
    it("carries WeChat's errcode and errmsg, its rid apart, and redacts the secret and the code", async () => {
      const params = exchange('code-in-the-message');
      // The sandbox adds a rid, as WeChat does.
      sandbox.inject({
        type: 'errcode',
        errcode: 40125,
        errmsg: `invalid appsecret ${sandbox.secret} for code-in-the-message`,
      });
      const error = await http
        .get('/sns/oauth2/access_token', params, false)
        .catch((e: Error) => e);
      expect(error).toMatchObject({
        kind: 'app_config',
        errcode: 40125,
        rid: expect.stringMatching(/^[\w-]+$/),
        endpoint: '/sns/oauth2/access_token',
      });
      expect(JSON.stringify(error) + (error as Error).message + (error as Error).stack).not.toMatch(
        new RegExp(`${sandbox.secret}|code-in-the-message`),
      );
      expect((error as Error).message).toBe(
        'WeChat /sns/oauth2/access_token failed: 40125 invalid appsecret [redacted] for [redacted]',
      );
    });

    it.each([
      ['an HTTP 500', { type: 'http500' } as const, 'bad_response', 'answered HTTP 500'],
      ['a body that is not JSON', { type: 'nonJson' } as const, 'bad_response', 'not JSON'],
      [
        'no answer in time',
        { type: 'delay', ms: 2000 } as const,
        'timeout',
        'did not answer in time',
      ],
    ])(
      'turns %s into a WxOAuthError built from the path alone',
      async (_name, fault, kind, text) => {
        sandbox.inject(fault, { endpoint: 'access_token' });
        const error = (await http
          .get('/sns/oauth2/access_token', exchange(), false)
          .catch((e: Error) => e)) as Error;
        expect(error).toMatchObject({
          name: 'WxOAuthError',
          kind,
          message: expect.stringContaining(text),
        });
        expect(error.message + error.stack).not.toContain(sandbox.secret);
      },
    );
  });
});
