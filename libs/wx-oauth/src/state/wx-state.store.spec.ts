import type { ServerResponse } from 'node:http';
import type { TestingModule } from '@nestjs/testing';
import type { WxStateInfo } from './wx-auth-info.interface.js';
import { DUPLICATE_CALLBACK_WINDOW_MS } from './duplicate-callbacks.js';
import type { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { compileWxOAuth, cookieHeader, fakeRequest, setCookies } from '../wx-oauth.spec-helper.js';
import {
  MAX_STATE_COOKIE_BYTES,
  MAX_STATE_COOKIES,
  WxStateStore,
  type WxStateMeta,
} from './wx-state.store.js';

const APPID = 'wxstatespec';
const meta = (returnTo?: string): WxStateMeta => ({
  authorizationURL: 'https://open.weixin.qq.com/connect/oauth2/authorize',
  tokenURL: 'https://api.weixin.qq.com/sns/oauth2/access_token',
  clientID: APPID,
  returnTo,
});

describe('WxStateStore', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let states: WxStateStore;

  beforeEach(async () => {
    ({ moduleRef, clock } = await compileWxOAuth({
      appid: APPID,
      secret: 'state-spec-secret-0123456789',
      callbackURL: 'https://app.example.com/auth/wechat/callback',
    }));
    states = moduleRef.get(WxStateStore);
  });
  afterEach(() => moduleRef.close());

  /** A login start through passport-oauth2's store(): the state, and the browser's cookie after it. */
  const start = (returnTo?: string, cookie = '') => {
    const { req, res } = fakeRequest('/auth/wechat', cookie ? { cookie } : {});
    let state = '';
    states.store(req, meta(returnTo), (error, minted: string) => {
      if (error) throw error;
      state = minted;
    });
    return { state, res, cookie: cookieHeader(res) };
  };

  /** A callback through passport-oauth2's verify(): what it handed back, and its response. */
  const callback = (state: string, code: string, cookie: string) =>
    new Promise<{
      ok: boolean;
      info?: WxStateInfo;
      error?: Error & { kind?: string };
      setCookie: string[];
    }>((resolve) => {
      const { req, res } = fakeRequest(`/auth/wechat/callback?code=${code}&state=${state}`, {
        cookie,
      });
      states.verify(req, state, meta(), (error, ok, info) =>
        resolve({ ok, info, error: error ?? undefined, setCookie: setCookies(res) }),
      );
    });

  describe('store()', () => {
    it('mints a 32-hex state and sets its signed cookie, Secure on an https callback', () => {
      const { state, res } = start('/orders/7');
      expect(state).toMatch(/^[0-9a-f]{32}$/);
      expect(setCookies(res)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^wx_oauth_${state}=[^;]+; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$`,
          ),
        ),
      ]);
    });

    it('refuses a returnTo that leaves the site', () => {
      const { req } = fakeRequest('/auth/wechat');
      const errors: unknown[] = [];
      states.store(req, meta('//evil.example.com'), (error) => errors.push(error));
      expect(errors).toEqual([expect.objectContaining({ kind: 'invalid_request' })]);
    });

    it('needs the metadata naming the app', () => {
      const { req } = fakeRequest('/auth/wechat');
      expect(() => states.store(req, () => undefined)).toThrow('needs the metadata naming the app');
    });
  });

  describe('verify()', () => {
    it("hands back the login's returnTo and appid, and expires the cookie", async () => {
      const { state, cookie } = start('/orders/7');
      const result = await callback(state, 'code1', cookie);
      expect(result).toMatchObject({ ok: true, info: { returnTo: '/orders/7', appid: APPID } });
      expect(result.setCookie).toEqual([
        `wx_oauth_${state}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`,
      ]);
    });

    it.each([
      ['a missing state', '', 'is missing or malformed'],
      ['a state of the wrong shape', 'not-a-nonce', 'is missing or malformed'],
    ])('refuses %s', async (_name, state, reason) => {
      const { cookie } = start();
      expect((await callback(state, 'code1', cookie)).error).toMatchObject({
        kind: 'invalid_state',
        message: expect.stringContaining(reason),
      });
    });

    it('refuses a state started in another browser (no cookie)', async () => {
      const { state } = start();
      expect((await callback(state, 'code1', '')).error?.message).toContain(
        'started in another browser',
      );
    });

    it('refuses a tampered cookie: a changed signature, returnTo or appid', async () => {
      const { state, cookie } = start('/a');
      const [name, value] = cookie.split('=');
      const [expires, , appid, signature] = value.split('.');
      const evil = Buffer.from('//evil.example.com').toString('base64url');
      for (const forged of [
        `${expires}..${appid}.${'A'.repeat(43)}`,
        `${expires}.${evil}.${appid}.${signature}`,
        `${expires}..wxother.${signature}`,
      ]) {
        expect((await callback(state, 'code1', `${name}=${forged}`)).error?.message).toContain(
          'is forged',
        );
      }
    });

    it('hands back what the login kind kept, signed: neither changed, added nor dropped', async () => {
      const { req, res } = fakeRequest('/auth/wecom');
      const state = states.issue(req, res, { appid: APPID }, '/desk', 'nonMembers=accept');
      const cookie = cookieHeader(res);
      const [name, value] = cookie.split('=');
      const [expires, returnTo, appid, kept, signature] = value.split('.');
      const other = Buffer.from('nonMembers=refuse').toString('base64url');
      for (const forged of [
        `${expires}.${returnTo}.${appid}.${other}.${signature}`,
        `${expires}.${returnTo}.${appid}.${signature}`,
        `${expires}.${returnTo}.${appid}.${kept}.${kept}.${signature}`,
      ]) {
        expect((await callback(state, 'code1', `${name}=${forged}`)).error?.message).toContain(
          'is forged',
        );
      }
      expect((await callback(state, 'code1', cookie)).info).toEqual({
        returnTo: '/desk',
        appid: APPID,
        kept: 'nonMembers=accept',
      });
      // Without anything kept, the cookie is as it was: four parts, and nothing handed back.
      const { state: plain, cookie: plainCookie } = start('/a');
      expect(plainCookie.split('=')[1].split('.')).toHaveLength(4);
      expect((await callback(plain, 'code1', plainCookie)).info).toEqual({
        returnTo: '/a',
        appid: APPID,
      });
    });

    it('refuses a state past its lifetime', async () => {
      const { state, cookie } = start();
      clock.advance(600_000);
      expect((await callback(state, 'code1', cookie)).error?.message).toContain('has expired');
    });

    it("admits WeChat's duplicate (the same code) and one other code within the window, and nothing more", async () => {
      const { state, cookie } = start();
      expect((await callback(state, 'code1', cookie)).ok).toBe(true);
      expect((await callback(state, 'code1', cookie)).ok).toBe(true);
      clock.advance(DUPLICATE_CALLBACK_WINDOW_MS);
      expect((await callback(state, 'code2', cookie)).ok).toBe(true);
      expect((await callback(state, 'code2', cookie)).ok).toBe(true);
      expect((await callback(state, 'code3', cookie)).error?.message).toContain('already used');
    });

    it.each(['code2', 'code1'])(
      'refuses %s once the window has passed: a replay, not WeChat repeating itself',
      async (again) => {
        const { state, cookie } = start();
        expect((await callback(state, 'code1', cookie)).ok).toBe(true);
        clock.advance(DUPLICATE_CALLBACK_WINDOW_MS + 1);
        expect((await callback(state, again, cookie)).error).toMatchObject({
          kind: 'invalid_state',
          message: expect.stringContaining('already used'),
        });
      },
    );
  });

  describe('abandon()', () => {
    const SPA = 'https://app.example.com/orders/7';

    /** A failed callback of `state` (WeChat's denial: no code) ended through abandon(), on `res` if given. */
    const abandon = (state: string, cookie: string, res?: ServerResponse) => {
      const exchange = fakeRequest(`/auth/wechat/callback?state=${state}`, { cookie });
      const info = states.abandon(exchange.req, res ?? exchange.res);
      return { info, setCookie: setCookies(res ?? exchange.res) };
    };

    beforeEach(async () => {
      await moduleRef.close();
      ({ moduleRef, clock } = await compileWxOAuth({
        appid: APPID,
        secret: 'state-spec-secret-0123456789',
        callbackURL: 'https://app.example.com/auth/wechat/callback',
        frontendOrigins: ['https://app.example.com'],
      }));
      states = moduleRef.get(WxStateStore);
    });

    it("hands back a failed login's state from its genuine cookie, and expires the cookie", () => {
      const { state, cookie } = start(SPA);
      expect(abandon(state, cookie)).toEqual({
        info: { returnTo: SPA, appid: APPID },
        setCookie: [`wx_oauth_${state}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`],
      });
    });

    it('reads a genuine cookie past its lifetime: it says where the failure goes', () => {
      const { state, cookie } = start(SPA);
      clock.advance(600_000);
      expect(abandon(state, cookie).info).toEqual({ returnTo: SPA, appid: APPID });
    });

    it('trusts no forged cookie, and leaves it be', () => {
      const { state, cookie } = start(SPA);
      const [name, value] = cookie.split('=');
      const [expires, , appid, signature] = value.split('.');
      const other = Buffer.from('https://app.example.com/elsewhere').toString('base64url');
      for (const forged of [
        `${expires}.${other}.${appid}.${signature}`,
        `${value.slice(0, -2)}AA`,
        `${value}.extra`,
      ]) {
        expect(abandon(state, `${name}=${forged}`)).toEqual({ info: undefined, setCookie: [] });
      }
    });

    it.each([
      ['no cookie', (state: string) => ({ state }), false],
      ['no state', () => ({}), true],
      ['a malformed state', () => ({ state: 'not-a-nonce' }), true],
      [
        'a repeated state, as Express parses it',
        (state: string) => ({ state: [state, state] }),
        true,
      ],
    ])('finds nothing with %s', (_name, query, withCookie) => {
      const { state, cookie } = start(SPA);
      const { req, res } = fakeRequest('/auth/wechat/callback', withCookie ? { cookie } : {});
      req.query = query(state) as Record<string, string>;
      expect(states.abandon(req, res)).toBeUndefined();
      expect(setCookies(res)).toEqual([]);
    });

    it('expires the cookie once when verify() used the state up before the login failed', async () => {
      const { state, cookie } = start(SPA);
      const { req, res } = fakeRequest(`/auth/wechat/callback?code=code1&state=${state}`, {
        cookie,
      });
      await new Promise((resolve) => states.verify(req, state, meta(), resolve));
      expect(states.abandon(req, res)?.returnTo).toBe(SPA);
      expect(setCookies(res)).toHaveLength(1);
    });
  });

  describe('the cookie bounds', () => {
    const expired = (setCookie: string[]) =>
      setCookie.filter((c) => c.includes('Max-Age=0')).map((c) => c.split('=')[0]);

    it(`keeps a browser to ${MAX_STATE_COOKIES} state cookies, expiring the oldest first`, () => {
      const names: string[] = [];
      let cookie = '';
      for (let i = 0; i < MAX_STATE_COOKIES; i++) {
        const started = start(undefined, cookie);
        names.push(`wx_oauth_${started.state}`);
        cookie = [cookie, started.cookie].filter(Boolean).join('; ');
        clock.advance(1000);
      }
      const next = start(undefined, cookie);
      expect(expired(setCookies(next.res))).toEqual([names[0]]);
    });

    it(`keeps their Cookie header within ${MAX_STATE_COOKIE_BYTES} bytes whatever their returnTo`, () => {
      let jar: string[] = [];
      for (let i = 0; i < 10; i++) {
        const started = start(`/${'r'.repeat(2000)}`, jar.join('; '));
        const gone = new Set(expired(setCookies(started.res)));
        jar = [...jar.filter((c) => !gone.has(c.split('=')[0])), started.cookie];
        clock.advance(1000);
      }
      expect(Buffer.byteLength(jar.join('; '))).toBeLessThanOrEqual(MAX_STATE_COOKIE_BYTES);
      expect(jar.length).toBeGreaterThanOrEqual(2);
    });

    it('expires forged and expired state cookies, and keeps the live one', () => {
      const stale = start();
      clock.advance(600_000);
      const live = start();
      const forged = `wx_oauth_${'0'.repeat(32)}=x.y.z.w`;
      const next = start(undefined, [stale.cookie, live.cookie, forged].join('; '));
      expect(expired(setCookies(next.res)).sort()).toEqual(
        [`wx_oauth_${'0'.repeat(32)}`, `wx_oauth_${stale.state}`].sort(),
      );
    });
  });
});
