import { inspect } from 'node:util';
import type { TestingModule } from '@nestjs/testing';
import { WxAuthorizers } from '../component/wx-authorizers.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import { readDated } from '../store/newest-wins.js';
import { WxMemoryStore } from '../store/wx-memory-store.js';
import { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import { WxComponentReceiver } from './wx-component-receiver.js';
import { encryptedPush, signedPush } from './wx-push.spec-helper.js';

const component = {
  appid: 'wx0c0mp0nent0spec',
  secret: 'component-spec-secret-0123456789',
  token: 'componentSpecToken42',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const MERCHANT = 'wx0merchant00001';
const TICKET_KEY = `component:${component.appid}:ticket`;

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

describe('WxComponentReceiver', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let store: WxMemoryStore;
  let receiver: WxComponentReceiver;

  beforeEach(async () => {
    clock = new ManualClock();
    store = new WxMemoryStore({}, clock);
    ({ moduleRef } = await compileWxOAuth(
      {
        appid: 'wx0own0app0000001',
        secret: 'own-app-spec-secret-0123456789',
        callbackURL: 'https://saas.example.com/auth/wechat/callback',
        component,
        store,
      },
      clock,
    ));
    receiver = moduleRef.get(WxComponentReceiver);
  });
  afterEach(() => moduleRef.close());

  const now = () => Math.floor(clock.now() / 1000);
  /** WeChat's push of `fields` to the platform, encrypted and signed as WeChat does. */
  const push = (fields: Record<string, string | number>, options?: { nonce?: string }) =>
    encryptedPush(
      component.token,
      component.encodingAesKey,
      component.appid,
      { AppId: component.appid, ...fields },
      clock,
      options,
    );
  const ticket = (value: string, createTime = now()) =>
    push({
      CreateTime: createTime,
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: value,
    });
  const authorization = (infoType: string, createTime = now()) =>
    push({
      CreateTime: createTime,
      InfoType: infoType,
      AuthorizerAppid: MERCHANT,
      AuthorizationCode: 'queryauthcode@@@spec',
      AuthorizationCodeExpiredTime: createTime + 3600,
      PreAuthCode: 'preauthcode@@@spec',
    });
  const storedTicket = async () => (await readDated(store, TICKET_KEY))?.value;

  describe('the ticket', () => {
    it('is kept in the store, and never handed to the app', async () => {
      const event = await receiver.receive(ticket('ticket@@@first'));
      expect(event).toMatchObject({
        infoType: 'component_verify_ticket',
        createTime: now(),
        duplicate: false,
      });
      expect(JSON.stringify(event)).not.toContain('ticket@@@first');
      expect(await storedTicket()).toBe('ticket@@@first');
    });

    it('is replaced by a newer one, never by an older one pushed late', async () => {
      const earlier = now();
      clock.advance(600_000);
      await receiver.receive(ticket('ticket@@@newer'));
      await receiver.receive(ticket('ticket@@@older', earlier));
      expect(await storedTicket()).toBe('ticket@@@newer');
      clock.advance(600_000);
      await receiver.receive(ticket('ticket@@@newest'));
      expect(await storedTicket()).toBe('ticket@@@newest');
    });

    it('is never touched by authorized, updateauthorized or unauthorized events', async () => {
      await receiver.receive(ticket('ticket@@@kept'));
      clock.advance(1000);
      for (const infoType of ['authorized', 'updateauthorized', 'unauthorized']) {
        clock.advance(1000);
        const event = await receiver.receive(authorization(infoType));
        expect(event).toMatchObject({ infoType, authorizerAppid: MERCHANT, duplicate: false });
      }
      expect(await storedTicket()).toBe('ticket@@@kept');
    });

    it('refuses a ticket event with no ticket (400)', async () => {
      const { status } = await failureOf(() =>
        receiver.receive(push({ CreateTime: now(), InfoType: 'component_verify_ticket' })),
      );
      expect(status).toBe(400);
    });
  });

  describe("a merchant's authorisation", () => {
    it('hands authorized to the app with its code, and WeChat’s retry of it as a duplicate', async () => {
      const createTime = now();
      const event = await receiver.receive(authorization('authorized', createTime));
      expect(event).toMatchObject({
        infoType: 'authorized',
        authorizerAppid: MERCHANT,
        authorizationCode: 'queryauthcode@@@spec',
        duplicate: false,
      });
      clock.advance(5000);
      expect(await receiver.receive(authorization('authorized', createTime))).toMatchObject({
        duplicate: true,
      });
    });

    it('holds no code to log: fields leave AuthorizationCode and PreAuthCode out, and the event logs without its code', async () => {
      const event = await receiver.receive(authorization('authorized'));
      expect(event.authorizationCode).toBe('queryauthcode@@@spec');
      expect(event.fields).toMatchObject({ InfoType: 'authorized', AuthorizerAppid: MERCHANT });
      expect(event.fields).not.toHaveProperty('AuthorizationCode');
      expect(event.fields).not.toHaveProperty('PreAuthCode');
      for (const logged of [JSON.stringify(event), inspect(event, { depth: null })]) {
        expect(logged).not.toContain('authcode@@@spec');
        expect(logged).toContain(MERCHANT);
      }
    });

    it.each(['authorized', 'updateauthorized', 'unauthorized'])(
      'refuses %s with no AuthorizerAppid (400)',
      async (infoType) => {
        const nameless = push({ CreateTime: now(), InfoType: infoType });
        const { error, status } = await failureOf(() => receiver.receive(nameless));
        expect(status).toBe(400);
        expect(error.message).toBe(`The ${infoType} push has no AuthorizerAppid`);
      },
    );

    it('records unauthorized for every instance, and a later authorisation lifts it', async () => {
      const authorizers = moduleRef.get(WxAuthorizers);
      await receiver.receive(authorization('unauthorized'));
      expect(await authorizers.isRevoked(MERCHANT)).toBe(true);
      const { status } = await failureOf(() => authorizers.assertAuthorized(MERCHANT));
      expect(status).toBe(403);

      // An authorisation older than the revocation, pushed late, changes nothing.
      await receiver.receive(authorization('authorized', now() - 60));
      expect(await authorizers.isRevoked(MERCHANT)).toBe(true);
      clock.advance(60_000);
      await receiver.receive(authorization('updateauthorized'));
      expect(await authorizers.isRevoked(MERCHANT)).toBe(false);
    });
  });

  describe('refuses, changing nothing', () => {
    it('a plain (unencrypted) push, even signed with the Token (401)', async () => {
      const plain = signedPush(
        component.token,
        {
          AppId: component.appid,
          CreateTime: now(),
          InfoType: 'component_verify_ticket',
          ComponentVerifyTicket: 'forged',
        },
        clock,
      );
      const { error, status } = await failureOf(() => receiver.receive(plain));
      expect(status).toBe(401);
      expect(error.message).toContain('not encrypted');
      expect(await storedTicket()).toBeUndefined();
    });

    it.each([
      ['a wrong signature', { signature: '0'.repeat(40) }],
      ['a wrong msg_signature', { msg_signature: '0'.repeat(40) }],
      ['no signature', { signature: undefined }],
    ])('%s (401)', async (_name, query) => {
      const forged = ticket('ticket@@@forged');
      const { status } = await failureOf(() =>
        receiver.receive({ ...forged, query: { ...forged.query, ...query } }),
      );
      expect(status).toBe(401);
      expect(await storedTicket()).toBeUndefined();
    });

    it("a push encrypted for another app (its appid at the plaintext's end) (401)", async () => {
      const other = encryptedPush(
        component.token,
        component.encodingAesKey,
        'wx0other0platform',
        { CreateTime: now(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'x' },
        clock,
      );
      expect((await failureOf(() => receiver.receive(other))).status).toBe(401);
    });

    it('a stale push, and a replayed one (401)', async () => {
      const stale = ticket('ticket@@@stale');
      clock.advance(6 * 60_000);
      const staleFailure = await failureOf(() => receiver.receive(stale));
      expect(staleFailure).toMatchObject({ status: 401, error: { kind: 'invalid_push' } });
      expect(staleFailure.error.message).toContain('stale');

      const fresh = ticket('ticket@@@once');
      await receiver.receive(fresh);
      const replayed = await failureOf(() => receiver.receive(fresh));
      expect(replayed).toMatchObject({ status: 401, error: { message: 'The push was replayed' } });
    });

    it('an oversized body and a DOCTYPE (400)', async () => {
      const big = ticket('x'.repeat(64 * 1024));
      expect((await failureOf(() => receiver.receive(big))).status).toBe(400);
      const doctype = ticket('ticket@@@doctype');
      const body = `<!DOCTYPE xml [<!ENTITY a "b">]>${doctype.body}`;
      expect((await failureOf(() => receiver.receive({ ...doctype, body }))).status).toBe(400);
      expect(await storedTicket()).toBeUndefined();
    });
  });
});

describe('WxComponentReceiver without a platform', () => {
  it('refuses every push: the module has no component option (400)', async () => {
    const { moduleRef, clock } = await compileWxOAuth({
      appid: 'wx0own0app0000001',
      secret: 'own-app-spec-secret-0123456789',
      callbackURL: 'https://saas.example.com/auth/wechat/callback',
    });
    try {
      const push = encryptedPush(
        component.token,
        component.encodingAesKey,
        component.appid,
        {},
        clock,
      );
      const { error, status } = await failureOf(() =>
        moduleRef.get(WxComponentReceiver).receive(push),
      );
      expect({ kind: error.kind, status }).toEqual({ kind: 'flow_unavailable', status: 400 });
    } finally {
      await moduleRef.close();
    }
  });
});
