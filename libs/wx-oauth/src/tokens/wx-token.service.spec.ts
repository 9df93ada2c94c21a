import type { TestingModule } from '@nestjs/testing';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxReauthorizationRequiredError } from '../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import { WxSandbox } from '../testing/index.js';
import type { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import { WxTokenService } from './wx-token.service.js';

const TWO_HOURS = 7_200_000;

describe('WxTokenService', () => {
  let sandbox: WxSandbox;
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let tokens: WxTokenService;
  let store: WxOAuthStore;
  let openid: string;
  let accessToken: string;

  beforeAll(async () => {
    sandbox = await WxSandbox.start();
  });
  beforeEach(async () => {
    ({ moduleRef, clock } = await compileWxOAuth({
      appid: sandbox.appid,
      secret: sandbox.secret,
      callbackURL: 'https://app.example.com/auth/wechat/callback',
      apiBaseUrl: sandbox.url,
      timeout: 1000,
    }));
    tokens = moduleRef.get(WxTokenService);
    store = moduleRef.get(WX_OAUTH_STORE);
    const token = await moduleRef
      .get(WXOAuth)
      .getAccessToken(sandbox.issueCode('alice', 'snsapi_userinfo'));
    ({ openid, access_token: accessToken } = token);
    await tokens.save(token);
    sandbox.resetStats();
  });
  afterEach(() => moduleRef.close());
  afterAll(() => sandbox.close());

  it('answers the saved token while it is fresh, and refreshes it once it is within the margin of its expiry', async () => {
    expect(await tokens.getAccessTokenFor(openid)).toBe(accessToken);
    clock.advance(TWO_HOURS - 300_000);
    expect(await tokens.getAccessTokenFor(openid)).toEqual(expect.any(String));
    expect(sandbox.stats.requests.refresh_token).toBe(1);
  });

  it('shares one refresh among concurrent callers', async () => {
    clock.advance(TWO_HOURS);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => tokens.getAccessTokenFor(openid)),
    );
    expect(new Set(answers).size).toBe(1);
    expect(sandbox.stats.requests.refresh_token).toBe(1);
  });

  it("waits for another instance's refresh (it holds the lease) and uses what it writes", async () => {
    clock.advance(TWO_HOURS);
    const key = `token:${sandbox.appid}:${openid}`;
    const lease = await store.lock(key, 10_000);
    const waiting = tokens.getAccessTokenFor(openid);
    const written = JSON.parse((await store.get(key))!);
    await store.setIfLocked(
      key,
      JSON.stringify({
        ...written,
        accessToken: 'from-the-other-instance',
        accessTokenExpiresAt: clock.now() + TWO_HOURS,
      }),
      TWO_HOURS,
      lease!,
    );
    expect(await waiting).toBe('from-the-other-instance');
    expect(sandbox.stats.requests.refresh_token ?? 0).toBe(0);
  });

  it('gives up waiting for a lease holder that never writes, past its deadline', async () => {
    clock.advance(TWO_HOURS);
    await store.lock(`token:${sandbox.appid}:${openid}`, 60_000);
    const started = clock.now();
    await expect(tokens.getAccessTokenFor(openid)).rejects.toMatchObject({
      kind: 'store_unavailable',
      message: expect.stringContaining('gave up waiting for another instance'),
    });
    // Two leases of one timeout doubled plus a second: (1000 * 2 + 1000) * 2.
    expect(clock.now() - started).toBeGreaterThanOrEqual(6000);
    expect(clock.now() - started).toBeLessThan(6100);
  });

  it('asks for a new login once the refresh token is past its 30 days, and forgets the tokens', async () => {
    clock.advance(30 * 24 * 3_600_000);
    const error = await tokens.getAccessTokenFor(openid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WxReauthorizationRequiredError);
    expect(error).toMatchObject({ kind: 'refresh_expired', openid });
    expect(await store.get(`token:${sandbox.appid}:${openid}`)).toBeUndefined();
    expect(sandbox.stats.requests.refresh_token ?? 0).toBe(0);
  });

  it('refuses an appid the module does not have', async () => {
    await expect(tokens.getAccessTokenFor(openid, 'wxnotregistered')).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });
});
