import type { HttpException, Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { WeChatStub } from '../../client/wechat-stub.spec-helper.js';
import { signedPush } from '../../push/wx-push.spec-helper.js';
import { WxPushReceiver } from '../../push/wx-push-receiver.js';
import { WxMemoryStore } from '../../store/wx-memory-store.js';
import { ManualClock } from '../../utils/manual-clock.spec-helper.js';
import {
  compileWxOAuth,
  idOf,
  RecordingValidator,
  cookieHeader,
  fakeRequest,
  runStrategy,
  type StrategyOutcome,
} from '../../wx-oauth.spec-helper.js';
import { WxFollowLogin } from './wx-follow-login.js';
import { WxFollowStrategy } from './wx-follow.strategy.js';

const APPID = 'wx0f0110w0000001';
const SECRET = 'follow-spec-secret-0123456789';
const PUSH_TOKEN = 'followpushtoken';
const TICKET = 'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2tIZ';
const OPENID = 'oFollower0000000000000000001';

describe('WxFollowStrategy', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let wechat: WeChatStub;
  let strategy: WxFollowStrategy;

  const compile = async (providers: Provider[] = [RecordingValidator]) => {
    wechat = new WeChatStub({
      '/cgi-bin/stable_token': { access_token: 'app-token-1', expires_in: 7200 },
      '/cgi-bin/qrcode/create': (call) => ({
        ticket: TICKET,
        expire_seconds: (call.body as { expire_seconds: number }).expire_seconds,
        url: 'http://weixin.qq.com/q/kHZ',
      }),
      '/cgi-bin/user/info': (call) => ({
        subscribe: 1,
        openid: call.params.openid,
        unionid: 'uFollower1',
        subscribe_scene: 'ADD_SCENE_QR_CODE',
      }),
    });
    ({ moduleRef, clock } = await compileWxOAuth(
      {
        appid: APPID,
        secret: SECRET,
        callbackURL: 'https://app.example.com/auth/wechat/callback',
        messagePush: { token: PUSH_TOKEN },
        store: new WxMemoryStore({}, clock),
        axios: wechat.axios,
      },
      clock,
      providers,
    ));
    strategy = moduleRef.get(WxFollowStrategy);
  };

  beforeEach(async () => {
    clock = new ManualClock();
    RecordingValidator.seen = [];
    RecordingValidator.answer = (profile) => ({ member: idOf(profile) });
    await compile();
  });
  afterEach(() => moduleRef.close());

  /**
   * A browser's follow login, scanned: its QR code shown (the cookie set),
   * then the scan of that code pushed by WeChat; answers the browser's Cookie header.
   */
  const scannedLogin = async (): Promise<string> => {
    const page = fakeRequest('/auth/follow');
    await moduleRef.get(WxFollowLogin).start(page.res);
    const created = wechat.callsTo('/cgi-bin/qrcode/create').at(-1)!;
    const scene = (created.body as { action_info: { scene: { scene_str: string } } }).action_info
      .scene.scene_str;
    const push = signedPush(
      PUSH_TOKEN,
      {
        ToUserName: 'gh_account',
        FromUserName: OPENID,
        CreateTime: Math.floor(clock.now() / 1000),
        MsgType: 'event',
        Event: 'SCAN',
        EventKey: scene,
        Ticket: TICKET,
      },
      clock,
    );
    const received = await moduleRef.get(WxPushReceiver).receive(push);
    expect(received.handled).toBe(true);
    return cookieHeader(page.res);
  };

  /** The browser opening the route guarded with `@WxFollowLoginRoute()`. */
  const complete = (cookie: string, query = '', options?: { returnTo?: string }) =>
    runStrategy(strategy, fakeRequest(`/auth/follow/done${query}`, { cookie }).req, options);

  const errorOf = (outcome: StrategyOutcome) => {
    expect(outcome).toHaveProperty('error');
    return (outcome as { error: HttpException }).error;
  };

  it("completes a scanned login once, with the validator's user and the state's appid and returnTo", async () => {
    const cookie = await scannedLogin();
    const outcome = await complete(cookie, '?returnTo=/orders/7');
    expect(outcome).toEqual({
      success: { member: OPENID },
      info: { state: { appid: APPID, returnTo: '/orders/7' } },
    });
    expect(RecordingValidator.seen).toHaveLength(1);
    expect(RecordingValidator.seen[0].profile).toMatchObject({
      provider: 'wechat',
      via: 'follow',
      appid: APPID,
      id: OPENID,
      openid: OPENID,
      unionid: 'uFollower1',
    });
    // A follow login has no user tokens; the follower was asked with the app's token.
    expect(RecordingValidator.seen[0].tokens).toBeUndefined();
    expect(wechat.callsTo('/cgi-bin/user/info')[0].params).toMatchObject({
      access_token: 'app-token-1',
      openid: OPENID,
    });
  });

  it("takes the route's own returnTo over the query's, and leaves it out when there is none", async () => {
    expect(
      await complete(await scannedLogin(), '?returnTo=/ignored', { returnTo: '/mine' }),
    ).toEqual(expect.objectContaining({ info: { state: { appid: APPID, returnTo: '/mine' } } }));
    expect(await complete(await scannedLogin())).toEqual(
      expect.objectContaining({ info: { state: { appid: APPID } } }),
    );
  });

  it('refuses a second completion with 401 invalid_state, with or without the spent cookie', async () => {
    const cookie = await scannedLogin();
    expect(await complete(cookie)).toHaveProperty('success');
    for (const again of [cookie, '']) {
      const error = errorOf(await complete(again));
      expect(error.getStatus()).toBe(401);
      expect(error.getResponse()).toMatchObject({ kind: 'invalid_state' });
    }
    expect(RecordingValidator.seen).toHaveLength(1);
  });

  it('completes a login once when the browser opens the route twice at the same time', async () => {
    const cookie = await scannedLogin();
    const outcomes = await Promise.all([complete(cookie), complete(cookie), complete(cookie)]);
    expect(outcomes.filter((outcome) => 'success' in outcome)).toHaveLength(1);
    for (const outcome of outcomes.filter((outcome) => !('success' in outcome)))
      expect(errorOf(outcome).getResponse()).toMatchObject({
        statusCode: 401,
        kind: 'invalid_state',
      });
    expect(RecordingValidator.seen).toHaveLength(1);
  });

  it('refuses a login that was not scanned, or has expired, with 401 invalid_state', async () => {
    const page = fakeRequest('/auth/follow');
    await moduleRef.get(WxFollowLogin).start(page.res);
    const unscanned = errorOf(await complete(cookieHeader(page.res)));
    expect(unscanned.getResponse()).toMatchObject({ statusCode: 401, kind: 'invalid_state' });

    const cookie = await scannedLogin();
    clock.advance(300_001);
    const expired = errorOf(await complete(cookie));
    expect(expired.getResponse()).toMatchObject({ statusCode: 401, kind: 'invalid_state' });
    expect(RecordingValidator.seen).toHaveLength(0);
  });

  it.each([
    ['another site', '?returnTo=https://evil.example.com/'],
    ['a protocol-relative URL', '?returnTo=//evil.example.com/'],
  ])('answers a returnTo on %s with 400, leaving the login to complete', async (_name, query) => {
    const cookie = await scannedLogin();
    const error = errorOf(await complete(cookie, query));
    expect(error.getStatus()).toBe(400);
    expect(error.getResponse()).toMatchObject({ kind: 'invalid_request' });
    expect(wechat.callsTo('/cgi-bin/user/info')).toHaveLength(0);
    expect(await complete(cookie)).toHaveProperty('success');
  });

  it('answers a POST with 400, completing nothing', async () => {
    const cookie = await scannedLogin();
    const { req } = fakeRequest('/auth/follow/done', { cookie }, 'POST');
    expect(errorOf(await runStrategy(strategy, req)).getStatus()).toBe(400);
    expect(await complete(cookie)).toHaveProperty('success');
  });

  it("refuses the login with 401 denied when the app's validator answers null", async () => {
    RecordingValidator.answer = () => null;
    const error = errorOf(await complete(await scannedLogin()));
    expect(error.getStatus()).toBe(401);
    expect(error.getResponse()).toMatchObject({ kind: 'denied', message: 'The login was refused' });
    expect(RecordingValidator.seen).toHaveLength(1);
  });

  it('hands on the profile as the user when the app has no validator', async () => {
    await moduleRef.close();
    await compile([]);
    const outcome = await complete(await scannedLogin());
    expect(outcome).toMatchObject({ success: { via: 'follow', openid: OPENID } });
  });

  it("answers WeChat's failure to give the follower with its status and errcode", async () => {
    const cookie = await scannedLogin();
    wechat.once('/cgi-bin/user/info', {
      errcode: 45009,
      errmsg: 'reach max api daily quota limit',
    });
    const error = errorOf(await complete(cookie));
    expect(error.getStatus()).toBe(502);
    expect(error.getResponse()).toMatchObject({ kind: 'quota', errcode: 45009 });
  });
});
