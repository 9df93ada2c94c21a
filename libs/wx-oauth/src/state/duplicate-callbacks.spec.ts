import type { TestingModule } from '@nestjs/testing';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { WxMemoryStore } from '../store/wx-memory-store.js';
import { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import { DUPLICATE_CALLBACK_WINDOW_MS, DuplicateCallbacks } from './duplicate-callbacks.js';

const APPID = 'wx0dup1icate0000';
const STATE = '0123456789abcdef0123456789abcdef';
const TTL = 600_000;

/** What `admit` rejects with, or undefined when it admits. */
const refusal = (admitting: Promise<void>) =>
  admitting.then(
    () => undefined,
    (error: unknown) => error as WxOAuthError,
  );

describe('DuplicateCallbacks', () => {
  let clock: ManualClock;
  /** The store the app's instances share. */
  let store: WxMemoryStore;
  let modules: TestingModule[];
  let duplicates: DuplicateCallbacks;

  /** One instance of the app, on the shared store and clock. */
  const instance = async (): Promise<DuplicateCallbacks> => {
    const { moduleRef } = await compileWxOAuth(
      {
        appid: APPID,
        secret: 'duplicates-spec-secret-0123',
        callbackURL: 'https://app.example.com/auth/wechat/callback',
        store,
      },
      clock,
    );
    modules.push(moduleRef);
    return moduleRef.get(DuplicateCallbacks);
  };

  beforeEach(async () => {
    clock = new ManualClock();
    store = new WxMemoryStore({}, clock);
    modules = [];
    duplicates = await instance();
  });
  afterEach(() => Promise.all(modules.map((moduleRef) => moduleRef.close())));

  const admit = (code: string, by = duplicates, state = STATE) =>
    refusal(by.admit(APPID, state, code, TTL));

  describe('within the window after the first callback', () => {
    it("admits WeChat's duplicate request, the same code again, as often as it comes", async () => {
      expect(await admit('code-1')).toBeUndefined();
      clock.advance(1_000);
      expect(await admit('code-1')).toBeUndefined();
      clock.advance(DUPLICATE_CALLBACK_WINDOW_MS - 1_000);
      expect(await admit('code-1')).toBeUndefined();
    });

    it("admits one other code once: the in-app browser's re-request", async () => {
      expect(await admit('code-1')).toBeUndefined();
      clock.advance(1_500);
      expect(await admit('code-2')).toBeUndefined();
      // The re-request's own duplicate is WeChat's too.
      expect(await admit('code-2')).toBeUndefined();
    });

    it('refuses a third code with invalid_state (401)', async () => {
      await admit('code-1');
      await admit('code-2');
      const error = await admit('code-3');
      expect(error).toBeInstanceOf(WxOAuthError);
      expect(error).toMatchObject({
        kind: 'invalid_state',
        status: 401,
        message: 'Login state was already used; please log in again',
      });
    });

    it('tells the repeats apart on every instance sharing the store', async () => {
      const other = await instance();
      expect(await admit('code-1')).toBeUndefined();
      expect(await admit('code-1', other)).toBeUndefined();
      expect(await admit('code-2', other)).toBeUndefined();
      expect(await admit('code-3')).toMatchObject({ kind: 'invalid_state' });
    });

    it("keeps each state's uses apart, and each app's", async () => {
      await admit('code-1');
      await admit('code-2');
      expect(await admit('code-9', duplicates, 'fedcba9876543210fedcba9876543210')).toBeUndefined();
      expect(
        await refusal(duplicates.admit('wx0another0app00', STATE, 'code-9', TTL)),
      ).toBeUndefined();
    });
  });

  describe('after the window', () => {
    it.each([
      ['the same code', 'code-1'],
      ['another code', 'code-2'],
    ])('refuses %s: a replay', async (_name, code) => {
      await admit('code-1');
      clock.advance(DUPLICATE_CALLBACK_WINDOW_MS + 1);
      expect(await admit(code)).toMatchObject({ kind: 'invalid_state' });
    });
  });

  it('refuses any repeat of a use recorded without its time (an older record)', async () => {
    await store.claim(`state:${APPID}:${STATE}`, 'code-1', TTL);
    expect(await admit('code-1')).toMatchObject({ kind: 'invalid_state' });
    expect(await admit('code-2')).toMatchObject({ kind: 'invalid_state' });
  });

  describe('share', () => {
    it("gives a duplicate callback the first one's exchange, in flight and for the window", async () => {
      let exchanges = 0;
      let finish!: (value: string) => void;
      const exchange = () => {
        exchanges += 1;
        return new Promise<string>((resolve) => (finish = resolve));
      };
      const first = duplicates.share(STATE, 'code-1', exchange);
      const second = duplicates.share(STATE, 'code-1', exchange);
      finish('tokens');
      await expect(Promise.all([first, second])).resolves.toEqual(['tokens', 'tokens']);
      clock.advance(DUPLICATE_CALLBACK_WINDOW_MS - 1);
      await expect(duplicates.share(STATE, 'code-1', exchange)).resolves.toBe('tokens');
      expect(exchanges).toBe(1);
    });

    it('exchanges another code, or the same code with another state, on its own', async () => {
      const calls: string[] = [];
      const exchange = (name: string) => async () => {
        calls.push(name);
        return name;
      };
      await duplicates.share(STATE, 'code-1', exchange('first'));
      await expect(duplicates.share(STATE, 'code-2', exchange('re-request'))).resolves.toBe(
        're-request',
      );
      await expect(
        duplicates.share('fedcba9876543210fedcba9876543210', 'code-1', exchange('leaked')),
      ).resolves.toBe('leaked');
      expect(calls).toEqual(['first', 're-request', 'leaked']);
    });

    it('shares a failed exchange too, and forgets it after the window', async () => {
      let exchanges = 0;
      const failing = async () => {
        exchanges += 1;
        throw new WxOAuthError('invalid_code', 'code been used');
      };
      await expect(duplicates.share(STATE, 'code-1', failing)).rejects.toMatchObject({
        kind: 'invalid_code',
      });
      await expect(duplicates.share(STATE, 'code-1', failing)).rejects.toMatchObject({
        kind: 'invalid_code',
      });
      expect(exchanges).toBe(1);
      clock.advance(DUPLICATE_CALLBACK_WINDOW_MS + 1);
      await expect(duplicates.share(STATE, 'code-1', failing)).rejects.toThrow();
      expect(exchanges).toBe(2);
    });
  });
});
