import { jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import { WxMemoryStore } from '../store/wx-memory-store.js';
import { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import type { WxPushFields } from './wx-push-message.js';
import { WxPushReceiver } from './wx-push-receiver.js';
import { pushSignature } from './wx-push-signature.js';
import { signedPush } from './wx-push.spec-helper.js';

const TOKEN = 'pushspectoken42';
const OPENID = 'oPushUser00000000000000000001';

/** What a call throws, as a WxOAuthError, with the HTTP status the app would answer. */
async function failureOf(call: () => unknown): Promise<{ error: WxOAuthError; status: number }> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WxOAuthError);
  return { error: thrown as WxOAuthError, status: wxHttpException(thrown)!.getStatus() };
}

describe('WxPushReceiver', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let receiver: WxPushReceiver;

  beforeEach(async () => {
    clock = new ManualClock();
    ({ moduleRef } = await compileWxOAuth(
      {
        officialAccount: { appid: 'wx0pu5h0acc0unt0', secret: 'push-spec-secret-0123456789' },
        callbackURL: 'https://app.example.com/auth/wechat/callback',
        messagePush: { token: TOKEN },
        store: new WxMemoryStore({}, clock),
      },
      clock,
    ));
    receiver = moduleRef.get(WxPushReceiver);
  });
  afterEach(() => moduleRef.close());

  /** A follower's text message, sent now. */
  const text = (
    content = 'hello',
    msgId = '24551234567890123',
  ): Record<string, string | number> => ({
    ToUserName: 'gh_0123456789ab',
    FromUserName: OPENID,
    CreateTime: Math.floor(clock.now() / 1000),
    MsgType: 'text',
    Content: content,
    MsgId: msgId,
  });

  /** A follower's click on a menu item, sent now. */
  const click = (key = 'MENU_ORDERS'): Record<string, string | number> => ({
    ToUserName: 'gh_0123456789ab',
    FromUserName: OPENID,
    CreateTime: Math.floor(clock.now() / 1000),
    MsgType: 'event',
    Event: 'CLICK',
    EventKey: key,
  });

  describe("the console's URL check", () => {
    it('answers the echostr of a request signed with the Token', () => {
      const timestamp = String(Math.floor(clock.now() / 1000));
      const signature = pushSignature([TOKEN, timestamp, 'n0nce']);
      expect(
        receiver.checkUrl({ signature, timestamp, nonce: 'n0nce', echostr: '4815162342' }),
      ).toBe('4815162342');
    });

    it('refuses a wrong signature with 401 invalid_push, and a missing echostr with 400', async () => {
      const timestamp = String(Math.floor(clock.now() / 1000));
      const wrong = pushSignature(['another-token', timestamp, 'n0nce']);
      const refused = await failureOf(() =>
        receiver.checkUrl({ signature: wrong, timestamp, nonce: 'n0nce', echostr: '1' }),
      );
      expect(refused.error.kind).toBe('invalid_push');
      expect(refused.status).toBe(401);
      const signature = pushSignature([TOKEN, timestamp, 'n0nce']);
      const missing = await failureOf(() =>
        receiver.checkUrl({ signature, timestamp, nonce: 'n0nce' }),
      );
      expect(missing).toMatchObject({ error: { kind: 'invalid_request' }, status: 400 });
    });
  });

  describe('a push', () => {
    it('is read when signed with the Token and fresh: its fields, neither duplicate nor handled', async () => {
      const message = await receiver.receive(signedPush(TOKEN, text('你好'), clock));
      expect(message).toEqual({
        fields: expect.objectContaining({
          FromUserName: OPENID,
          MsgType: 'text',
          Content: '你好',
          MsgId: '24551234567890123',
        }) as WxPushFields,
        duplicate: false,
        handled: false,
        encrypted: false,
      });
    });

    it('is read from the request stream when no body parser left its text', async () => {
      const push = signedPush(TOKEN, text(), clock);
      const req = Object.assign(Readable.from([Buffer.from(push.body)]), { query: push.query });
      expect((await receiver.receive(req)).fields.Content).toBe('hello');
    });

    it.each([
      ['a wrong signature', { signature: pushSignature(['not-the-token', '1', '2']) }],
      ['a malformed signature', { signature: 'abc' }],
      ['no signature', { signature: undefined }],
      ['a nonce other than the signed one', { nonce: 'tampered' }],
    ])('refuses %s with 401 invalid_push', async (_name, change) => {
      const push = signedPush(TOKEN, text(), clock, { nonce: 'signed' });
      const { error, status } = await failureOf(() =>
        receiver.receive({ ...push, query: { ...push.query, ...change } }),
      );
      expect(error.kind).toBe('invalid_push');
      expect(status).toBe(401);
    });

    it.each([
      ['more than 5 minutes old', -301_000],
      ['more than 5 minutes ahead', 301_000],
    ])('refuses a timestamp %s as stale, with 401 invalid_push', async (_name, skew) => {
      const push = signedPush(TOKEN, text(), clock, { at: clock.now() + skew });
      const { error, status } = await failureOf(() => receiver.receive(push));
      expect(error).toMatchObject({
        kind: 'invalid_push',
        message: expect.stringContaining('stale'),
      });
      expect(status).toBe(401);
    });

    it('takes a timestamp within 5 minutes', async () => {
      const push = signedPush(TOKEN, text(), clock, { at: clock.now() - 299_000 });
      await expect(receiver.receive(push)).resolves.toMatchObject({ duplicate: false });
    });

    it('refuses a replayed signature with 401 invalid_push, the same request again', async () => {
      const push = signedPush(TOKEN, text(), clock);
      await receiver.receive(push);
      clock.advance(30_000);
      const { error, status } = await failureOf(() => receiver.receive(push));
      expect(error).toMatchObject({ kind: 'invalid_push', message: 'The push was replayed' });
      expect(status).toBe(401);
    });

    it("marks WeChat's retry of an event (a new signature, the same fields) duplicate: true", async () => {
      const fields = click();
      const first = await receiver.receive(signedPush(TOKEN, fields, clock));
      clock.advance(5_000);
      const retry = await receiver.receive(signedPush(TOKEN, fields, clock));
      expect(first.duplicate).toBe(false);
      expect(retry).toMatchObject({ duplicate: true, handled: false });
      // A reply to a duplicate is WeChat's plain acknowledgement.
      expect(receiver.reply(retry, '已收到')).toBe('success');
      // Another event of the same follower is not a duplicate.
      const other = await receiver.receive(signedPush(TOKEN, click('MENU_HELP'), clock));
      expect(other.duplicate).toBe(false);
    });

    it('tells messages apart by MsgId', async () => {
      await receiver.receive(signedPush(TOKEN, text('a', '1001'), clock));
      const next = await receiver.receive(signedPush(TOKEN, text('a', '1002'), clock));
      const again = await receiver.receive(signedPush(TOKEN, text('a', '1001'), clock));
      expect([next.duplicate, again.duplicate]).toEqual([false, true]);
    });

    it('is handled when a listener registered with listen() takes it as its own, once', async () => {
      const seen: WxPushFields[] = [];
      receiver.listen(async (fields) => {
        seen.push(fields);
        return fields.EventKey === 'LOGIN';
      });
      const fields = click('LOGIN');
      expect(await receiver.receive(signedPush(TOKEN, fields, clock))).toMatchObject({
        handled: true,
        duplicate: false,
      });
      expect(await receiver.receive(signedPush(TOKEN, click('OTHER'), clock))).toMatchObject({
        handled: false,
      });
      // WeChat's retry is not handed to the listeners again.
      expect(await receiver.receive(signedPush(TOKEN, fields, clock))).toMatchObject({
        handled: false,
        duplicate: true,
      });
      expect(seen.map((f) => f.EventKey)).toEqual(['LOGIN', 'OTHER']);
    });

    it('refuses a body over 64 KB with 400, read or streamed', async () => {
      const push = signedPush(TOKEN, text('x'.repeat(64 * 1024)), clock);
      const read = await failureOf(() => receiver.receive(push));
      expect(read).toMatchObject({ error: { kind: 'invalid_request' }, status: 400 });
      expect(read.error.message).toContain('too large');

      const stream = Object.assign(
        Readable.from([Buffer.alloc(40 * 1024, 'a'), Buffer.alloc(40 * 1024, 'b')]),
        { query: signedPush(TOKEN, text(), clock).query },
      );
      const streamed = await failureOf(() => receiver.receive(stream));
      expect(streamed).toMatchObject({ error: { kind: 'invalid_request' }, status: 400 });
    });

    it('refuses a body that is not WeChat XML with 400', async () => {
      const push = signedPush(TOKEN, text(), clock);
      for (const body of ['{"MsgType":"text"}', '<!DOCTYPE xml [<!ENTITY a "b">]><xml></xml>']) {
        const { status } = await failureOf(() => receiver.receive({ ...push, body }));
        expect(status).toBe(400);
      }
    });

    it('refuses an encrypted push when messagePush has no encodingAesKey', async () => {
      const push = signedPush(TOKEN, { Encrypt: 'c2VhbGVk' }, clock);
      const { error } = await failureOf(() =>
        receiver.receive({
          ...push,
          query: { ...push.query, encrypt_type: 'aes', msg_signature: 'x' },
        }),
      );
      expect(error).toMatchObject({
        kind: 'invalid_push',
        message: expect.stringContaining('encodingAesKey'),
      });
    });
  });

  it('answers a passive text reply to the sender', async () => {
    const message = await receiver.receive(signedPush(TOKEN, text(), clock));
    const reply = receiver.reply(message, '登录成功');
    expect(reply).toContain(`<ToUserName><![CDATA[${OPENID}]]></ToUserName>`);
    expect(reply).toContain('<Content><![CDATA[登录成功]]></Content>');
    expect(receiver.reply(message)).toBe('success');
  });
});

describe('WxPushReceiver at start-up', () => {
  const env = process.env.NODE_ENV;
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    process.env.NODE_ENV = env;
    warn.mockRestore();
  });

  /** The warnings about plain mode of an app started with this message push. */
  async function plainModeWarnings(
    messagePush: { token: string; encodingAesKey?: string } | undefined,
  ): Promise<unknown[]> {
    const { moduleRef } = await compileWxOAuth({
      officialAccount: { appid: 'wx0pu5h0acc0unt0', secret: 'push-spec-secret-0123456789' },
      callbackURL: 'https://app.example.com/auth/wechat/callback',
      messagePush,
      store: new WxMemoryStore(),
    });
    await moduleRef.close();
    return warn.mock.calls
      .map(([message]) => message)
      .filter((m) => String(m).includes('明文模式'));
  }

  it('warns once in production that the push is in plain mode, naming no secret', async () => {
    process.env.NODE_ENV = 'production';
    const warnings = await plainModeWarnings({ token: TOKEN });

    expect(warnings).toEqual([
      "The official account's message push is in plain mode (明文模式: messagePush has no encodingAesKey), " +
        "where WeChat's signature does not cover the message: a push could be altered on its way. Switch the account's " +
        'console to safe mode (安全模式) and set its EncodingAESKey as messagePush.encodingAesKey (WX_MP_AES_KEY).',
    ]);
    expect(String(warnings[0])).not.toContain(TOKEN);
  });

  it('says nothing in safe mode, without a message push, or outside production', async () => {
    process.env.NODE_ENV = 'production';
    expect(await plainModeWarnings({ token: TOKEN, encodingAesKey: 'k'.repeat(43) })).toEqual([]);
    expect(await plainModeWarnings(undefined)).toEqual([]);
    for (const nodeEnv of ['development', 'test']) {
      process.env.NODE_ENV = nodeEnv;
      expect(await plainModeWarnings({ token: TOKEN })).toEqual([]);
    }
  });
});
