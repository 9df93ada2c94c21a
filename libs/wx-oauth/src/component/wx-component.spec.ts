import type { TestingModule } from '@nestjs/testing';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxTenant, WxTenantResolver } from '../options/wx-tenant.interface.js';
import { WxMemoryStore } from '../store/wx-memory-store.js';
import { WxSandbox } from '../testing/index.js';
import { WxAppTokenService } from '../tokens/wx-app-token.service.js';
import { WxTenants } from '../apps/wx-tenants.js';
import { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import { compileWxOAuth } from '../wx-oauth.spec-helper.js';
import { WxAuthorizers } from './wx-authorizers.js';
import { WxComponent } from './wx-component.js';
import { WxComponentPlatform } from './wx-component-platform.js';

const MERCHANT = 'wx0merchant0spec1';
const RETURN = 'https://saas.example.com/admin/wechat/return';

/** What `promise` rejects with. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as WxOAuthError,
  );

/** One merchant, served through the platform, with the refresh token its authorisation gave. */
class Merchants implements WxTenantResolver {
  refreshToken?: string;
  tenantOf = () => 'shop';
  tenantOfAppid = (appid: string) => (appid === MERCHANT ? 'shop' : undefined);
  load = (id: string): WxTenant | undefined =>
    id === 'shop'
      ? {
          id,
          officialAccount: {
            appid: MERCHANT,
            component: true,
            authorizerRefreshToken: this.refreshToken,
          },
        }
      : undefined;
}

describe('WxComponent', () => {
  let sandbox: WxSandbox;
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let merchants: Merchants;
  let onboarding: WxComponent;

  beforeAll(async () => {
    sandbox = await WxSandbox.start({ apps: [{ appid: MERCHANT, kind: 'officialAccount' }] });
  });
  beforeEach(async () => {
    clock = new ManualClock();
    merchants = new Merchants();
    const { appid, secret, token, encodingAesKey } = sandbox.component;
    ({ moduleRef } = await compileWxOAuth(
      {
        tenants: { resolver: merchants },
        state: { secret: 'component-spec-state-secret-0123' },
        callbackURL: 'https://saas.example.com/auth/wechat/callback',
        component: { appid, secret, token, encodingAesKey },
        apiBaseUrl: sandbox.url,
        openBaseUrl: sandbox.url,
        mpBaseUrl: sandbox.url,
        store: new WxMemoryStore({}, clock),
      },
      clock,
    ));
    onboarding = moduleRef.get(WxComponent);
    sandbox.resetStats();
  });
  afterEach(() => moduleRef.close());
  afterAll(() => sandbox.close());

  /** WeChat's newest ticket, as the receiver would have kept it. */
  const pushTicket = async () => {
    await sandbox.pushComponentTicket();
    await moduleRef
      .get(WxComponentPlatform)
      .saveTicket(sandbox.componentTicket()!, Math.floor(clock.now() / 1000));
  };
  const tokensIssued = () => sandbox.componentTokensIssued();

  describe("the platform's token", () => {
    it('is refused with 503 before any ticket, saying what to check and never the secret; WeChat is asked once a minute', async () => {
      const error = await rejectionOf(onboarding.authorizationLinks(RETURN));
      expect(error).toMatchObject({ kind: 'component_unavailable', status: 503 });
      expect(error.message).toContain('authorisation-event URL');
      expect(error.message).toContain('WX_COMPONENT_TOKEN');
      expect(error.message).not.toContain(sandbox.component.secret);
      expect(sandbox.stats.requests.api_start_push_ticket).toBe(1);

      await rejectionOf(onboarding.authorizationLinks(RETURN));
      expect(sandbox.stats.requests.api_start_push_ticket).toBe(1);
      clock.advance(61_000);
      await rejectionOf(onboarding.authorizationLinks(RETURN));
      expect(sandbox.stats.requests.api_start_push_ticket).toBe(2);
    });

    it('is fetched once with the newest ticket for many callers, and kept', async () => {
      await pushTicket();
      const before = tokensIssued();
      const links = await Promise.all(
        Array.from({ length: 20 }, () => onboarding.authorizationLinks(RETURN)),
      );
      expect(new Set(links.map((link) => link.pc)).size).toBe(20);
      expect(await onboarding.withComponentToken(async (token) => token)).toEqual(
        expect.any(String),
      );
      expect(tokensIssued() - before).toBe(1);
    });

    it('is fetched again once when WeChat refuses it (40001)', async () => {
      await pushTicket();
      const store = moduleRef.get<WxMemoryStore>(WX_OAUTH_STORE);
      await store.set(
        `component:${sandbox.component.appid}:token`,
        JSON.stringify({ token: 'not-a-component-token', refreshAt: clock.now() + 3_600_000 }),
        3_600_000,
      );
      const before = tokensIssued();
      await expect(onboarding.authorizationLinks(RETURN)).resolves.toMatchObject({
        expiresIn: 1800,
      });
      expect(tokensIssued() - before).toBe(1);
    });

    it('is refused with 503 when WeChat calls the kept ticket not its newest (61006), and WeChat is asked for one', async () => {
      await pushTicket();
      // WeChat mints a newer ticket that never reaches this instance.
      await sandbox.pushComponentTicket();
      const error = await rejectionOf(onboarding.authorizationLinks(RETURN));
      expect(error).toMatchObject({ kind: 'component_unavailable', errcode: undefined });
      expect(error.message).toContain('61006');
      expect(sandbox.stats.requests.api_start_push_ticket).toBe(1);
    });
  });

  describe('onboarding', () => {
    beforeEach(pushTicket);

    it('makes the authorisation page and the mobile link on one pre-auth code', async () => {
      const { pc, mobile, expiresIn } = await onboarding.authorizationLinks(RETURN, {
        authType: 1,
      });
      const code = new URL(pc).searchParams.get('pre_auth_code');
      expect(pc).toBe(
        `${sandbox.url}/cgi-bin/componentloginpage?component_appid=${sandbox.component.appid}` +
          `&pre_auth_code=${encodeURIComponent(code!)}&redirect_uri=${encodeURIComponent(RETURN)}&auth_type=1`,
      );
      expect(mobile).toMatch(
        new RegExp(
          `^${sandbox.url}/safe/bindcomponent\\?action=bindcomponent&no_scan=1&component_appid=${sandbox.component.appid}&pre_auth_code=[^&]+&redirect_uri=[^&]+&auth_type=1#wechat_redirect$`,
        ),
      );
      expect(new URL(mobile).searchParams.get('pre_auth_code')).toBe(code);
      expect(expiresIn).toBe(1800);
      expect((await fetch(pc)).status).toBe(200);
    });

    it("completes the return: the merchant's appid, its permissions and its refresh token", async () => {
      const { authCode } = await sandbox.authorizeComponent({ authorizerAppid: MERCHANT });
      const authorization = await onboarding.completeAuthorization(authCode);
      expect(authorization).toEqual({
        authorizerAppid: MERCHANT,
        authorizerRefreshToken: expect.any(String),
        permissions: [1, 2, 3, 4],
      });
    });

    it('refuses an unknown auth_code (401) and a malformed one (400)', async () => {
      expect(
        await rejectionOf(onboarding.completeAuthorization('queryauthcode@@@unknown')),
      ).toMatchObject({ kind: 'invalid_code', status: 401 });
      for (const code of [undefined, '', ['a', 'b'], 'x'.repeat(600)])
        expect(await rejectionOf(onboarding.completeAuthorization(code))).toMatchObject({
          kind: 'invalid_request',
          status: 400,
        });
    });

    it('serves a merchant that had revoked its authorisation again once it completes a new one', async () => {
      const authorizers = moduleRef.get(WxAuthorizers);
      await authorizers.revoke(MERCHANT, Math.floor(clock.now() / 1000) - 10);
      expect(await onboarding.isRevoked(MERCHANT)).toBe(true);
      const { authCode } = await sandbox.authorizeComponent({ authorizerAppid: MERCHANT });
      await onboarding.completeAuthorization(authCode);
      expect(await onboarding.isRevoked(MERCHANT)).toBe(false);
    });
  });

  describe("a merchant's own token", () => {
    beforeEach(pushTicket);

    it('comes through api_authorizer_token with the refresh token the tenant gives, fetched once and kept', async () => {
      const { authCode } = await sandbox.authorizeComponent({ authorizerAppid: MERCHANT });
      merchants.refreshToken = (
        await onboarding.completeAuthorization(authCode)
      ).authorizerRefreshToken;
      const appTokens = moduleRef.get(WxAppTokenService);
      const tokens = await Promise.all(
        Array.from({ length: 10 }, () => appTokens.getToken(MERCHANT)),
      );
      expect(new Set(tokens).size).toBe(1);
      expect(sandbox.stats.requests.api_authorizer_token).toBe(1);
    });

    it('is refused without a refresh token (400), and for a revoked merchant (403)', async () => {
      const appTokens = moduleRef.get(WxAppTokenService);
      expect(await rejectionOf(appTokens.getToken(MERCHANT))).toMatchObject({
        kind: 'flow_unavailable',
        status: 400,
      });
      merchants.refreshToken = 'refreshtoken@@@kept';
      moduleRef.get(WxTenants).forget('shop');
      await moduleRef.get(WxAuthorizers).revoke(MERCHANT, Math.floor(clock.now() / 1000));
      expect(await rejectionOf(appTokens.getToken(MERCHANT))).toMatchObject({
        kind: 'authorizer_revoked',
        status: 403,
      });
      expect(sandbox.stats.requests.api_authorizer_token ?? 0).toBe(0);
    });

    it('is refused once the merchant revokes (403), its kept token never handed out, and served again once it authorises again', async () => {
      const { authCode } = await sandbox.authorizeComponent({ authorizerAppid: MERCHANT });
      merchants.refreshToken = (
        await onboarding.completeAuthorization(authCode)
      ).authorizerRefreshToken;
      const appTokens = moduleRef.get(WxAppTokenService);
      await appTokens.getToken(MERCHANT);
      expect(sandbox.stats.requests.api_authorizer_token).toBe(1);

      clock.advance(1000);
      await moduleRef.get(WxAuthorizers).revoke(MERCHANT, Math.floor(clock.now() / 1000));
      expect(await rejectionOf(appTokens.getToken(MERCHANT))).toMatchObject({
        kind: 'authorizer_revoked',
        status: 403,
      });
      const calls: string[] = [];
      const refused = appTokens.withToken(MERCHANT, async (token) => calls.push(token));
      expect(await rejectionOf(refused)).toMatchObject({ kind: 'authorizer_revoked' });
      expect(calls).toEqual([]);

      clock.advance(1000);
      await moduleRef.get(WxAuthorizers).restore(MERCHANT);
      await expect(appTokens.getToken(MERCHANT)).resolves.toEqual(expect.any(String));
    });
  });
});
