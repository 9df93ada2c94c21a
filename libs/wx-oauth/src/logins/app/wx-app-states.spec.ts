import { createHash, randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { WxOAuthApps } from '../../apps/wx-oauth-apps.js';
import type { WxRegistration } from '../../apps/wx-registration.js';
import { WeChatStub } from '../../client/wechat-stub.spec-helper.js';
import type { WxOAuthError } from '../../client/wx-oauth.error.js';
import type { WxOAuthModuleOptions } from '../../options/wx-oauth-module-options.interface.js';
import type { WxTenant, WxTenantResolver } from '../../options/wx-tenant.interface.js';
import { WxMemoryStore } from '../../store/wx-memory-store.js';
import { ManualClock } from '../../utils/manual-clock.spec-helper.js';
import { compileWxOAuth, fakeRequest } from '../../wx-oauth.spec-helper.js';
import { WxAppStates } from './wx-app-states.js';

const mobileApp = { appid: 'wx0m0b11e0app001', secret: 'mobile-app-spec-secret-01234' };
const multiEndApp = { appid: 'wx0mu1t1end0app1', secret: 'multi-end-spec-secret-012345' };
const TTL = 60_000;
const MAX = 3;
const IP = '203.0.113.7';

/** Everything the store is given, keys and values, so that a spec can tell what the server kept. */
class RecordingStore extends WxMemoryStore {
  readonly seen: string[] = [];
  /** The keys written (set, claimed), apart from those only read. */
  readonly written: string[] = [];

  override get(key: string) {
    this.seen.push(key);
    return super.get(key);
  }
  override set(key: string, value: string, ttlMs: number) {
    this.seen.push(key, value);
    this.written.push(key);
    return super.set(key, value, ttlMs);
  }
  override delete(key: string) {
    this.seen.push(key);
    return super.delete(key);
  }
  override claim(key: string, value: string, ttlMs: number) {
    this.seen.push(key, value);
    this.written.push(key);
    return super.claim(key, value, ttlMs);
  }
}

/** A native app asking for a state, from `ip`, at `host`, as Express reads it. */
const appAsking = (ip = IP, host = 'app.example.com') =>
  Object.assign(fakeRequest('/auth/wechat/app/state', { host }, 'POST').req, { ip });

/** What `promise` rejects with. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as WxOAuthError,
  );

describe('WxAppStates', () => {
  let moduleRef: TestingModule | undefined;
  let clock: ManualClock;
  let store: RecordingStore;
  let states: WxAppStates;

  const compile = async (options: Partial<WxOAuthModuleOptions>) => {
    clock = new ManualClock();
    store = new RecordingStore({}, clock);
    ({ moduleRef } = await compileWxOAuth(
      {
        appState: { ttl: TTL, maxPerClient: MAX },
        store,
        axios: new WeChatStub().axios,
        ...options,
      } as WxOAuthModuleOptions,
      clock,
    ));
    states = moduleRef.get(WxAppStates);
  };
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  describe('with a mobile app', () => {
    let registration: WxRegistration;
    beforeEach(async () => {
      await compile({ mobileApp });
      registration = moduleRef!.get(WxOAuthApps).fixed!;
    });

    const refusal = async (state: string | undefined) => {
      const error = await rejectionOf(states.spend(state, registration));
      expect(error).toMatchObject({ kind: 'invalid_state', status: 401 });
      return error;
    };

    it('issues a 256-bit state, base64url, with the seconds it can be spent in', async () => {
      const issued = await states.issue(appAsking());
      expect(issued).toEqual({
        state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresIn: 60,
      });
      expect((await states.issue(appAsking())).state).not.toBe(issued.state);
    });

    it('spends a state once: a second login with it is refused with invalid_state', async () => {
      const { state } = await states.issue(appAsking());
      await expect(states.spend(state, registration)).resolves.toBeUndefined();
      expect((await refusal(state)).message).toContain('was already used');
    });

    it('refuses a state that is missing, malformed, unknown or forged, each as invalid_state', async () => {
      const { state } = await states.issue(appAsking());
      const forged = state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A');
      expect((await refusal(undefined)).message).toContain('is missing');
      for (const malformed of ['', 'short', `${state}=`, `${state}x`, state.replace(/.$/, '+')])
        expect((await refusal(malformed)).message).toContain('is malformed');
      const written = store.written.length;
      for (const unknown of [randomBytes(32).toString('base64url'), forged])
        expect((await refusal(unknown)).message).toContain('is unknown, has expired');
      // A made-up state is only looked up: it leaves no record to fill the store with.
      expect(store.written.slice(written)).toEqual([]);
      // Guessing spends nothing of the real one.
      await expect(states.spend(state, registration)).resolves.toBeUndefined();
    });

    it('refuses a state past appState.ttl, and not a moment before', async () => {
      const early = await states.issue(appAsking());
      const late = await states.issue(appAsking());
      clock.advance(TTL - 1);
      await expect(states.spend(early.state, registration)).resolves.toBeUndefined();
      clock.advance(1);
      expect((await refusal(late.state)).message).toContain('is unknown, has expired');
    });

    it('keeps only digests: the store never holds a state, nor the client address', async () => {
      const { state } = await states.issue(appAsking());
      const digest = createHash('sha256').update(state).digest('base64url');
      expect(store.seen).toContain(`app-state:${digest}`);
      await states.spend(state, registration);
      await refusal(state);
      expect(store.seen.length).toBeGreaterThan(0);
      for (const written of store.seen) {
        expect(written).not.toContain(state);
        expect(written).not.toContain(IP);
      }
    });

    describe('appState.maxPerClient', () => {
      it('refuses the client past its unspent states with rate_limited (429), warning once', async () => {
        const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
        try {
          for (let i = 0; i < MAX; i += 1) await states.issue(appAsking());
          for (let i = 0; i < 2; i += 1) {
            const error = await rejectionOf(states.issue(appAsking()));
            expect(error).toMatchObject({ kind: 'rate_limited', status: 429 });
          }
          const warnings = warn.mock.calls.filter(([message]) =>
            String(message).includes('appState.maxPerClient'),
          );
          expect(warnings).toHaveLength(1);
        } finally {
          warn.mockRestore();
        }
      });

      it('frees a slot when a state is spent, or once it expires', async () => {
        const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
        try {
          const issued = [];
          for (let i = 0; i < MAX; i += 1) issued.push(await states.issue(appAsking()));
          await states.spend(issued[0].state, registration);
          await expect(states.issue(appAsking())).resolves.toMatchObject({ expiresIn: 60 });
          await expect(states.issue(appAsking())).rejects.toMatchObject({ kind: 'rate_limited' });
          clock.advance(TTL);
          for (let i = 0; i < MAX; i += 1) await states.issue(appAsking());
          await expect(states.issue(appAsking())).rejects.toMatchObject({ kind: 'rate_limited' });
        } finally {
          warn.mockRestore();
        }
      });

      it('counts each client address apart', async () => {
        const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
        try {
          for (let i = 0; i < MAX; i += 1) await states.issue(appAsking(IP));
          await expect(states.issue(appAsking(IP))).rejects.toMatchObject({ kind: 'rate_limited' });
          for (let i = 0; i < MAX; i += 1) await states.issue(appAsking('2001:db8::1'));
          await expect(states.issue(appAsking('198.51.100.1'))).resolves.toMatchObject({
            expiresIn: TTL / 1000,
          });
        } finally {
          warn.mockRestore();
        }
      });
    });
  });

  it('issues states for a multi-end app alone', async () => {
    await compile({ multiEndApp });
    await expect(states.issue(appAsking())).resolves.toMatchObject({ expiresIn: 60 });
  });

  it('refuses to issue a state where no mobile or multi-end app is registered: flow_unavailable (400)', async () => {
    await compile({
      appid: 'wx0ne0app0000001',
      secret: 'one-app-secret-0123456789',
      callbackURL: 'https://app.example.com/auth/wechat/callback',
    });
    const error = await rejectionOf(states.issue(appAsking()));
    expect(error).toMatchObject({ kind: 'flow_unavailable', status: 400 });
    expect(error.message).toContain('WX_MOBILE_APPID');
    expect(store.seen.filter((key) => key.startsWith('app-state'))).toEqual([]);
  });

  describe('with tenants', () => {
    const TENANTS: Record<string, WxTenant> = {
      acme: { id: 'acme', mobileApp },
      globex: {
        id: 'globex',
        multiEndApp: { appid: 'wx0g10bex0d0nut1', secret: 'globex-multi-end-secret-0123' },
      },
      initech: {
        id: 'initech',
        officialAccount: { appid: 'wx01n1tech0ffic1', secret: 'initech-oa-secret-012345678' },
      },
    };
    const resolver: WxTenantResolver = {
      tenantOf: ({ host }) => host.split('.')[0],
      load: (id) => TENANTS[id],
      tenantOfAppid: () => undefined,
    };
    const apps = () => moduleRef!.get(WxOAuthApps);

    beforeEach(() =>
      compile({
        tenants: { resolver },
        state: { secret: 'app-states-tenants-secret-0123' },
        callbackURL: 'https://login.example.com/auth/wechat/callback',
      }),
    );

    it("spends a tenant's state at that tenant only: another's is refused, and spent", async () => {
      const acme = await apps().forRequest(appAsking(IP, 'acme.example.com'));
      const globex = await apps().forRequest(appAsking(IP, 'globex.example.com'));
      const mine = await states.issue(appAsking(IP, 'acme.example.com'));
      await expect(states.spend(mine.state, acme)).resolves.toBeUndefined();

      const stolen = await states.issue(appAsking(IP, 'acme.example.com'));
      const error = await rejectionOf(states.spend(stolen.state, globex));
      expect(error).toMatchObject({ kind: 'invalid_state' });
      expect(error.message).toContain('another site');
      await expect(states.spend(stolen.state, acme)).rejects.toMatchObject({
        kind: 'invalid_state',
      });
    });

    it('refuses to issue a state for a tenant with no native app, naming the tenant', async () => {
      const error = await rejectionOf(states.issue(appAsking(IP, 'initech.example.com')));
      expect(error).toMatchObject({ kind: 'flow_unavailable' });
      expect(error.message).toMatch(/^Tenant initech has no WeChat mobile app/);
      await expect(states.issue(appAsking(IP, 'nobody.example.com'))).rejects.toMatchObject({
        kind: 'unknown_tenant',
        status: 404,
      });
    });
  });
});
