import { createHash } from 'node:crypto';
import type { HttpException, Provider } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { AuthGuard } from '@nestjs/passport';
import type { TestingModule } from '@nestjs/testing';
import { WeChatStub } from '../../client/wechat-stub.spec-helper.js';
import type { WxOAuthStore } from '../../store/wx-oauth-store.interface.js';
import { WxMemoryStore } from '../../store/wx-memory-store.js';
import { ManualClock } from '../../utils/manual-clock.spec-helper.js';
import { WX_STRATEGIES } from '../../wx-oauth.constants.js';
import {
  compileWxOAuth,
  idOf,
  RecordingValidator,
  fakeRequest,
  runStrategy,
  type StrategyOutcome,
} from '../../wx-oauth.spec-helper.js';
import { WxMiniProgramSessions } from './wx-mini-program-sessions.js';
import { WxMiniProgramStrategy } from './wx-mini-program.strategy.js';

const APPID = 'wx0m1n1pr0gram01';
const SECRET = 'mini-program-spec-secret-012345';
const SESSION_KEY = 'tiihtNczf5v6AKRyjwEUhQ==';
const OPENID = 'oMiniUser000000000000000001';
const CODE = '0a3Xyz000AbCdE1fGhIj2kLmNo3pQrS4';

/**
 * Every value the store was given, so that a spec can tell what the server
 * kept from what it handed out: a hand-written store over the memory one.
 */
class RecordingStore implements WxOAuthStore {
  readonly written = new Map<string, string>();
  private readonly inner: WxMemoryStore;

  constructor(clock: ManualClock) {
    this.inner = new WxMemoryStore({}, clock);
  }

  get(key: string) {
    return this.inner.get(key);
  }
  async set(key: string, value: string, ttlMs: number) {
    this.written.set(key, value);
    await this.inner.set(key, value, ttlMs);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  claim(key: string, value: string, ttlMs: number) {
    return this.inner.claim(key, value, ttlMs);
  }
  lock(key: string, leaseMs: number) {
    return this.inner.lock(key, leaseMs);
  }
  setIfLocked(key: string, value: string, ttlMs: number, lockId: string) {
    return this.inner.setIfLocked(key, value, ttlMs, lockId);
  }
  unlock(key: string, lockId: string) {
    return this.inner.unlock(key, lockId);
  }
}

/** A mini-program's POST of `body` to its login route, as Express parsed it. */
function loginRequest(body: unknown, method = 'POST') {
  const exchange = fakeRequest(
    '/auth/mini-program',
    { 'content-type': 'application/json' },
    method,
  );
  return Object.assign(exchange.req, body === undefined ? {} : { body });
}

describe('WxMiniProgramStrategy', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let store: RecordingStore;
  let wechat: WeChatStub;
  let strategy: WxMiniProgramStrategy;

  const compile = async (providers: Provider[] = [RecordingValidator]) => {
    wechat = new WeChatStub({
      '/sns/jscode2session': { openid: OPENID, session_key: SESSION_KEY, unionid: 'uMini1' },
    });
    store = new RecordingStore(clock);
    ({ moduleRef } = await compileWxOAuth(
      { miniProgram: { appid: APPID, secret: SECRET }, store, axios: wechat.axios },
      clock,
      providers,
    ));
    strategy = moduleRef.get(WxMiniProgramStrategy);
  };

  beforeEach(async () => {
    clock = new ManualClock();
    RecordingValidator.seen = [];
    RecordingValidator.answer = (profile) => ({ member: idOf(profile), profile });
    await compile();
  });
  afterEach(() => moduleRef.close());

  const errorOf = (outcome: StrategyOutcome) => {
    expect(outcome).toHaveProperty('error');
    return (outcome as { error: HttpException }).error;
  };

  it("logs a posted code in: jscode2session with the app's credentials, the validator's user", async () => {
    const outcome = await runStrategy(strategy, loginRequest({ code: CODE }));
    expect(outcome).toMatchObject({ success: { member: OPENID } });
    expect(wechat.calls).toHaveLength(1);
    expect(wechat.calls[0]).toMatchObject({
      method: 'GET',
      path: '/sns/jscode2session',
      params: { appid: APPID, secret: SECRET, js_code: CODE, grant_type: 'authorization_code' },
    });
    expect(RecordingValidator.seen).toHaveLength(1);
    expect(RecordingValidator.seen[0].profile).toMatchObject({
      provider: 'wechat',
      via: 'miniProgram',
      appid: APPID,
      id: OPENID,
      openid: OPENID,
      unionid: 'uMini1',
    });
    expect(RecordingValidator.seen[0].tokens).toBeUndefined();
  });

  it('keeps the session_key on the server, out of the profile and the user', async () => {
    const outcome = (await runStrategy(strategy, loginRequest({ code: CODE }))) as {
      success: unknown;
    };
    const handedOut = JSON.stringify([outcome, RecordingValidator.seen]);
    expect(handedOut).not.toContain(SESSION_KEY);
    expect(handedOut).not.toContain('session_key');
    // Kept: the server checks the mini-program's signed data with it.
    const rawData = '{"nickName":"Band"}';
    const signature = createHash('sha1')
      .update(rawData + SESSION_KEY)
      .digest('hex');
    await expect(
      moduleRef.get(WxMiniProgramSessions).verifySignature(OPENID, rawData, signature),
    ).resolves.toBe(true);
    expect([...store.written.values()]).toContain(SESSION_KEY);
  });

  it.each([
    ['no body', undefined],
    ['a body that is not an object', 'code=abc'],
    ['no code', { phoneCode: 'p1' }],
    ['a code that is not text', { code: 42 }],
    ['a code with spaces', { code: 'a b' }],
    ['an oversized code', { code: 'x'.repeat(257) }],
    ['a phoneCode that is not text', { code: CODE, phoneCode: ['p1'] }],
  ])('answers %s with 400 before WeChat is called', async (_name, body) => {
    const error = errorOf(await runStrategy(strategy, loginRequest(body)));
    expect(error.getStatus()).toBe(400);
    expect(error.getResponse()).toMatchObject({ kind: 'invalid_request' });
    expect(wechat.calls).toHaveLength(0);
    expect(RecordingValidator.seen).toHaveLength(0);
  });

  it('answers a GET with 400 before WeChat is called', async () => {
    const error = errorOf(await runStrategy(strategy, loginRequest({ code: CODE }, 'GET')));
    expect(error.getStatus()).toBe(400);
    expect(wechat.calls).toHaveLength(0);
  });

  it.each([
    [40029, 'invalid code', 'invalid_code'],
    [40163, 'code been used', 'invalid_code'],
  ])(
    "answers WeChat's errcode %i with 401 carrying it, keeping no session",
    async (errcode, errmsg, kind) => {
      wechat.once('/sns/jscode2session', { errcode, errmsg: `${errmsg}, rid: 6650f0a1-1b2c3d4e` });
      const error = errorOf(await runStrategy(strategy, loginRequest({ code: CODE })));
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind, errcode, errmsg });
      expect(JSON.stringify(error.getResponse())).not.toContain(SECRET);
      expect(store.written.size).toBe(0);
      expect(RecordingValidator.seen).toHaveLength(0);
    },
  );

  it('answers an answer with no session_key as a bad response (502), never a login', async () => {
    wechat.once('/sns/jscode2session', { openid: OPENID });
    const error = errorOf(await runStrategy(strategy, loginRequest({ code: CODE })));
    expect(error.getStatus()).toBe(502);
    expect(error.getResponse()).toMatchObject({ kind: 'bad_response' });
    expect(RecordingValidator.seen).toHaveLength(0);
  });

  it("refuses the login with 401 denied when the app's validator answers null, keeping no session_key", async () => {
    RecordingValidator.answer = () => null;
    const error = errorOf(await runStrategy(strategy, loginRequest({ code: CODE })));
    expect(error.getStatus()).toBe(401);
    expect(error.getResponse()).toMatchObject({ kind: 'denied' });
    // A login the app refuses leaves the user's earlier key (here: none) in place.
    expect([...store.written.values()]).not.toContain(SESSION_KEY);
  });

  it('hands on the profile, without the session_key, when the app has no validator', async () => {
    await moduleRef.close();
    await compile([]);
    const outcome = (await runStrategy(strategy, loginRequest({ code: CODE }))) as {
      success: Record<string, unknown>;
    };
    expect(outcome.success).toMatchObject({
      via: 'miniProgram',
      openid: OPENID,
      raw: { session: { openid: OPENID, unionid: 'uMini1' } },
    });
    expect(JSON.stringify(outcome.success)).not.toContain(SESSION_KEY);
  });

  it('runs under a plain AuthGuard(WX_STRATEGIES.miniProgram), its user on req.user', async () => {
    const req = loginRequest({ code: CODE });
    const context = new ExecutionContextHost([req, req.res]);
    context.setType('http');
    await expect(new (AuthGuard(WX_STRATEGIES.miniProgram))().canActivate(context)).resolves.toBe(
      true,
    );
    expect((req as { user?: unknown }).user).toMatchObject({ member: OPENID });
  });
});
