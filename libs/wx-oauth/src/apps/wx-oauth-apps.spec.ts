import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { WeChatStub } from '../client/wechat-stub.spec-helper.js';
import { WXOAuth } from '../client/wx-oauth.client.js';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import type { WxTenantsOptions } from '../options/wx-oauth-module-options.interface.js';
import { resolveWxOAuthOptions } from '../options/wx-oauth.options.js';
import type {
  WxTenant,
  WxTenantRequest,
  WxTenantResolver,
} from '../options/wx-tenant.interface.js';
import { WxMemoryStore } from '../store/wx-memory-store.js';
import { ManualClock } from '../utils/manual-clock.spec-helper.js';
import { compileWxOAuth, fakeRequest } from '../wx-oauth.spec-helper.js';
import { WxOAuthApps } from './wx-oauth-apps.js';
import { WxTenants } from './wx-tenants.js';

const CALLBACK = 'https://login.example.com/auth/wechat/callback';
const TTL = 60_000;

const TENANTS: Record<string, WxTenant> = {
  acme: {
    id: 'acme',
    officialAccount: { appid: 'wx0acme0ffic1a10', secret: 'acme-oa-secret-0123456789' },
    website: { appid: 'wx0acme0web5ite0', secret: 'acme-web-secret-0123456789' },
  },
  globex: {
    id: 'globex',
    miniProgram: { appid: 'wx0g10bex0m1n100', secret: 'globex-mini-secret-0123456' },
    callbackURL: 'https://globex.example.com/auth/wechat/callback',
  },
};

/** The app's resolver: tenants by host, counting every question the module asks. */
class Resolver implements WxTenantResolver {
  readonly asked = { tenantOf: 0, load: 0, tenantOfAppid: 0 };
  readonly requests: WxTenantRequest[] = [];
  tenants: Record<string, WxTenant> = { ...TENANTS };
  failure?: Error;

  tenantOf(request: WxTenantRequest): string | undefined {
    this.asked.tenantOf += 1;
    this.requests.push(request);
    return request.host.split('.')[0];
  }

  async load(id: string): Promise<WxTenant | undefined> {
    this.asked.load += 1;
    if (this.failure) throw this.failure;
    return this.tenants[id];
  }

  async tenantOfAppid(appid: string): Promise<string | undefined> {
    this.asked.tenantOfAppid += 1;
    if (this.failure) throw this.failure;
    return Object.values(this.tenants).find((tenant) =>
      [tenant.officialAccount, tenant.website, tenant.miniProgram].some(
        (app) => app?.appid === appid,
      ),
    )?.id;
  }
}

/** A login request that reached `host`. */
const requestAt = (host: string, path = '/auth/wechat?returnTo=/x') =>
  fakeRequest(path, { host, 'User-Agent': 'MicroMessenger/8.0' }).req;

/** What `promise` rejects with. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as WxOAuthError,
  );

describe('WxOAuthApps with tenants', () => {
  let moduleRef: TestingModule;
  let clock: ManualClock;
  let resolver: Resolver;
  let apps: WxOAuthApps;

  beforeEach(async () => {
    clock = new ManualClock();
    resolver = new Resolver();
    ({ moduleRef } = await compileWxOAuth(
      {
        tenants: { resolver, cacheTtl: TTL },
        state: { secret: 'tenants-state-secret-0123456789' },
        callbackURL: CALLBACK,
        store: new WxMemoryStore({}, clock),
        axios: new WeChatStub().axios,
      },
      clock,
    ));
    apps = moduleRef.get(WxOAuthApps);
  });
  afterEach(() => moduleRef.close());

  it("serves each request its tenant's registration, asking the resolver with the request's host and path", async () => {
    const registration = await apps.forRequest(requestAt('acme.example.com'));
    expect(registration.tenant).toBe('acme');
    expect(registration.callbackURL).toBe(CALLBACK);
    expect(registration.forScope('snsapi_base').client.appid).toBe('wx0acme0ffic1a10');
    expect(registration.forScope('snsapi_login')).toMatchObject({
      kind: 'website',
      tenant: 'acme',
    });
    expect(resolver.requests[0]).toMatchObject({
      hostname: 'acme.example.com',
      host: 'acme.example.com',
      path: '/auth/wechat',
    });

    const globex = await apps.forRequest(requestAt('globex.example.com'));
    expect(globex.callbackURL).toBe(TENANTS.globex.callbackURL);
    expect(globex.miniProgram().client.appid).toBe('wx0g10bex0m1n100');
  });

  it('gives the resolver the host without its port as hostname, beside the host as it came', async () => {
    await apps.forRequest(requestAt('Acme.Shop.Localhost:3010', '/t/x/auth/wechat?a=1'));
    expect(resolver.requests[0]).toEqual({
      hostname: 'acme.shop.localhost',
      host: 'acme.shop.localhost:3010',
      path: '/t/x/auth/wechat',
      headers: expect.objectContaining({ host: 'Acme.Shop.Localhost:3010' }),
    });
  });

  it('has no fixed app: WXOAuth injects null', () => {
    expect(apps.fixed).toBeUndefined();
    expect(apps.primary).toBeUndefined();
    expect(moduleRef.get(WXOAuth, { strict: false })).toBeNull();
  });

  it('loads a tenant once per tenants.cacheTtl, concurrent requests sharing the one load', async () => {
    const [a, b] = await Promise.all([
      apps.forRequest(requestAt('acme.example.com')),
      apps.forRequest(requestAt('acme.example.com')),
    ]);
    expect(b).toBe(a);
    clock.advance(TTL - 1);
    expect(await apps.forRequest(requestAt('acme.example.com'))).toBe(a);
    expect(resolver.asked.load).toBe(1);
    // Which tenant a request is for is asked every time: it is the request's.
    expect(resolver.asked.tenantOf).toBe(3);

    clock.advance(2);
    const reloaded = await apps.forRequest(requestAt('acme.example.com'));
    expect(resolver.asked.load).toBe(2);
    expect(reloaded).not.toBe(a);
  });

  it('loads a tenant again at once after WxTenants.forget(id), with its new apps', async () => {
    await apps.forRequest(requestAt('acme.example.com'));
    resolver.tenants = {
      acme: {
        ...TENANTS.acme,
        website: { appid: 'wx0acme0new0web0', secret: 'new-secret-0123456789' },
      },
    };
    moduleRef.get(WxTenants).forget('acme');
    const registration = await apps.forRequest(requestAt('acme.example.com'));
    expect(resolver.asked.load).toBe(2);
    expect(registration.forScope('snsapi_login').client.appid).toBe('wx0acme0new0web0');
  });

  it('answers unknown_tenant (404) when the resolver knows no such tenant', async () => {
    const error = await rejectionOf(apps.forRequest(requestAt('ghost.example.com')));
    expect(error).toBeInstanceOf(WxOAuthError);
    expect(error).toMatchObject({
      kind: 'unknown_tenant',
      status: 404,
      message: 'Tenant ghost does not exist',
    });
    expect(wxHttpException(error)!.getStatus()).toBe(404);
    expect(wxHttpException(error)!.getResponse()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Tenant ghost does not exist',
      kind: 'unknown_tenant',
    });
  });

  it('answers unknown_tenant naming the host when the resolver finds no tenant for the request', async () => {
    jest.spyOn(resolver, 'tenantOf').mockReturnValue(undefined);
    const error = await rejectionOf(apps.forRequest(requestAt('Shop.Example.com:8443')));
    expect(error).toMatchObject({
      kind: 'unknown_tenant',
      message: 'No tenant is served at shop.example.com:8443',
    });
    expect(resolver.asked.load).toBe(0);
  });

  describe('a resolver that fails', () => {
    let logged: jest.Spied<Logger['error']>;
    beforeEach(() => {
      logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    });
    afterEach(() => logged.mockRestore());

    const SECRET_TEXT = 'connect ECONNREFUSED postgres://tenants:hunter2@db.internal/tenants';

    /** A database driver's error: its message carries the connection string. */
    class DatabaseError extends Error {
      readonly code = 'ECONNREFUSED';
    }

    /** Every line logged, message and stack. */
    const logLines = () => logged.mock.calls.map((call) => call.join('\n')).join('\n');

    it('fails the login as tenant_unavailable (503), logging its class and the tenant, never its message', async () => {
      resolver.failure = new DatabaseError(SECRET_TEXT);
      const error = await rejectionOf(apps.forRequest(requestAt('acme.example.com')));
      expect(error).toBeInstanceOf(WxOAuthError);
      expect(error).toMatchObject({
        kind: 'tenant_unavailable',
        status: 503,
        message: 'The tenant resolver failed',
      });
      expect(wxHttpException(error)!.getResponse()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The tenant resolver failed',
        kind: 'tenant_unavailable',
      });
      expect(error.stack).not.toContain('hunter2');
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged).toHaveBeenCalledWith(
        'The tenant resolver\'s load for tenant "acme" failed: DatabaseError (ECONNREFUSED) (set tenants.logErrors to log its message)',
      );
    });

    it('fails the same way when tenantOf throws synchronously, naming the host', async () => {
      jest.spyOn(resolver, 'tenantOf').mockImplementation(() => {
        throw new Error(SECRET_TEXT);
      });
      const error = await rejectionOf(apps.forRequest(requestAt('acme.example.com:8443')));
      expect(error).toMatchObject({
        kind: 'tenant_unavailable',
        message: 'The tenant resolver failed',
      });
      expect(logLines()).toBe(
        'The tenant resolver\'s tenantOf for host "acme.example.com:8443" failed: Error (set tenants.logErrors to log its message)',
      );
    });

    it('names the appid when tenantOfAppid fails, and logs nothing of a thrown string', async () => {
      resolver.failure = SECRET_TEXT as unknown as Error;
      await expect(apps.byAppid('wx0acme0ffic1a10')).rejects.toMatchObject({
        kind: 'tenant_unavailable',
      });
      expect(logLines()).toBe(
        'The tenant resolver\'s tenantOfAppid for appid "wx0acme0ffic1a10" failed: a thrown string (set tenants.logErrors to log its message)',
      );
    });

    it('keeps no failure: the next login asks again', async () => {
      resolver.failure = new Error(SECRET_TEXT);
      await rejectionOf(apps.forRequest(requestAt('acme.example.com')));
      resolver.failure = undefined;
      const registration = await apps.forRequest(requestAt('acme.example.com'));
      expect(registration.tenant).toBe('acme');
      expect(resolver.asked.load).toBe(2);
    });

    it("passes on the resolver's own WxOAuthError as it is", async () => {
      resolver.failure = new WxOAuthError('unknown_tenant', 'Tenant acme is suspended');
      const error = await rejectionOf(apps.forRequest(requestAt('acme.example.com')));
      expect(error).toBe(resolver.failure);
      expect(logged).not.toHaveBeenCalled();
    });
  });

  it('refuses a misconfigured tenant as app_config, naming it and never its secrets', async () => {
    resolver.tenants = {
      acme: { id: 'acme', website: { appid: 'wx0acme0web5ite0', secret: '' } },
      nobody: { id: 'nobody' },
      other: { id: 'someone-else', website: TENANTS.acme.website },
      elsewhere: {
        id: 'elsewhere',
        website: TENANTS.acme.website,
        callbackURL: 'https://elsewhere.example.com/other/path',
      },
    };
    const messages: Record<string, RegExp> = {
      acme: /^Tenant acme from the tenant resolver: website needs an appid and a secret$/,
      nobody: /^Tenant nobody from the tenant resolver: it has no app$/,
      other: /^Tenant other from the tenant resolver: its id is "someone-else"$/,
      elsewhere:
        /callbackURL must be an absolute http\(s\) URL with the path of the module's callbackURL/,
    };
    for (const [id, message] of Object.entries(messages)) {
      const error = await rejectionOf(apps.forRequest(requestAt(`${id}.example.com`)));
      expect(error).toMatchObject({ kind: 'app_config' });
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(TENANTS.acme.website!.secret);
    }
  });

  it("refuses a merchant's app through the platform where the module has none, or with a secret, or of another kind", async () => {
    resolver.tenants = {
      shop: { id: 'shop', officialAccount: { appid: 'wx0shop0mp000001', component: true } },
      mixed: {
        id: 'mixed',
        officialAccount: {
          appid: 'wx0mixed0mp00001',
          component: true,
          secret: 'a-secret-it-should-not-have',
        } as WxTenant['officialAccount'],
      },
      site: {
        id: 'site',
        website: { appid: 'wx0site0web00001', component: true } as unknown as WxTenant['website'],
      },
    };
    const messages: Record<string, RegExp> = {
      shop: /officialAccount is served through the third-party platform, but the module has none \(component, or WX_COMPONENT_\*\)$/,
      mixed: /officialAccount is served through the third-party platform, but the module has none/,
      site: /website cannot be served through the third-party platform$/,
    };
    for (const [id, message] of Object.entries(messages)) {
      const error = await rejectionOf(apps.forRequest(requestAt(`${id}.example.com`)));
      expect(error).toMatchObject({ kind: 'app_config' });
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('a-secret-it-should-not-have');
    }
  });

  it("serves a tenant's native apps, each checked as the others", async () => {
    const mobileApp = { appid: 'wx01n1tech0m0b11', secret: 'initech-mobile-secret-012345' };
    const multiEndApp = { appid: 'wx01n1tech0d0nut', secret: 'initech-multi-end-secret-0123' };
    resolver.tenants = {
      initech: { id: 'initech', mobileApp, multiEndApp },
      hooli: { id: 'hooli', mobileApp: { appid: 'wx0h00110m0b1100', secret: '' } },
      pied: { id: 'pied', multiEndApp: { appid: '', secret: multiEndApp.secret } },
    };
    const initech = await apps.forRequest(requestAt('initech.example.com'));
    expect(initech.mobileApp()).toMatchObject({
      kind: 'mobileApp',
      tenant: 'initech',
      client: { appid: mobileApp.appid },
    });
    expect(initech.multiEndApp()).toMatchObject({
      kind: 'multiEndApp',
      tenant: 'initech',
      client: { appid: multiEndApp.appid },
    });
    expect(await apps.byAppid(multiEndApp.appid, 'initech')).toMatchObject({ kind: 'multiEndApp' });
    for (const [id, kind] of [
      ['hooli', 'mobileApp'],
      ['pied', 'multiEndApp'],
    ]) {
      const error = await rejectionOf(apps.forRequest(requestAt(`${id}.example.com`)));
      expect(error).toMatchObject({ kind: 'app_config' });
      expect(error.message).toBe(
        `Tenant ${id} from the tenant resolver: ${kind} needs an appid and a secret`,
      );
      expect(error.message).not.toContain(multiEndApp.secret);
    }
  });

  it("finds an app by its appid through its tenant, asked once per tenants.cacheTtl; the state's tenant wins", async () => {
    const app = await apps.byAppid('wx0g10bex0m1n100');
    expect(app).toMatchObject({ kind: 'miniProgram', tenant: 'globex' });
    await apps.byAppid('wx0g10bex0m1n100');
    expect(resolver.asked.tenantOfAppid).toBe(1);
    expect(resolver.asked.load).toBe(1);

    // A login's state names its tenant: the appid is looked for there, and nowhere else.
    expect(await apps.byAppid('wx0acme0web5ite0', 'acme')).toMatchObject({ tenant: 'acme' });
    expect(await apps.byAppid('wx0acme0web5ite0', 'globex')).toBeUndefined();
    expect(resolver.asked.tenantOfAppid).toBe(1);
    clock.advance(TTL + 1);
    await apps.byAppid('wx0g10bex0m1n100');
    expect(resolver.asked.tenantOfAppid).toBe(2);
    expect(await apps.byAppid('wx0unkn0wn00000')).toBeUndefined();
  });

  it('wants the appid named where there is no default app', async () => {
    await expect(apps.clientOf(undefined)).rejects.toMatchObject({ kind: 'invalid_request' });
    await expect(apps.clientOf('wx0unkn0wn00000')).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    expect((await apps.clientOf('wx0acme0ffic1a10')).appid).toBe('wx0acme0ffic1a10');
  });
});

describe('WxOAuthApps with tenants.logErrors', () => {
  const options = (logErrors: unknown) => ({
    tenants: { resolver: new Resolver(), logErrors } as WxTenantsOptions,
    state: { secret: 'tenants-state-secret-0123456789' },
    callbackURL: CALLBACK,
  });

  it("logs the resolver's error whole, message and stack, when the app asks", async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { moduleRef } = await compileWxOAuth({
      ...options(true),
      axios: new WeChatStub().axios,
    });
    try {
      const resolver = moduleRef.get(WxOAuthApps)['resolver'] as Resolver;
      const failure = new Error('connect ECONNREFUSED tenants-db:5432');
      resolver.failure = failure;
      const error = await rejectionOf(
        moduleRef.get(WxOAuthApps).forRequest(requestAt('acme.example.com')),
      );
      expect(error).toMatchObject({
        kind: 'tenant_unavailable',
        message: 'The tenant resolver failed',
      });
      expect(logged).toHaveBeenCalledWith(
        'The tenant resolver\'s load for tenant "acme" failed: Error: connect ECONNREFUSED tenants-db:5432',
        failure.stack,
      );
    } finally {
      logged.mockRestore();
      await moduleRef.close();
    }
  });

  it('is off by default, and a boolean', () => {
    expect(resolveWxOAuthOptions(options(undefined)).tenants?.logErrors).toBe(false);
    expect(() => resolveWxOAuthOptions(options('yes'))).toThrow(/- tenants\.logErrors: /);
  });
});

describe('WxOAuthApps with a third-party platform', () => {
  const component = {
    appid: 'wx0apps0platform0',
    secret: 'apps-platform-secret-0123456789',
    token: 'appsPlatformToken',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  };
  let moduleRef: TestingModule;
  let resolver: Resolver;
  let apps: WxOAuthApps;

  beforeEach(async () => {
    resolver = new Resolver();
    resolver.tenants = {
      shop: {
        id: 'shop',
        officialAccount: { appid: 'wx0shop0mp000001', component: true },
        miniProgram: { appid: 'wx0shop0mini0001', component: true },
      },
      mixed: {
        id: 'mixed',
        officialAccount: {
          appid: 'wx0mixed0mp00001',
          component: true,
          secret: 'a-secret-it-should-not-have',
        } as WxTenant['officialAccount'],
      },
      corp: {
        id: 'corp',
        officialAccount: { appid: 'wx0corp0mp000001', component: true },
        wecom: {
          corpid: 'ww0corp0apps',
          agentid: 1000002,
          secret: 'corp-wecom-secret-0123456789',
          callbackURL: 'https://corp.example.com/auth/wecom',
        },
      },
    };
    ({ moduleRef } = await compileWxOAuth({
      tenants: { resolver },
      state: { secret: 'tenants-state-secret-0123456789' },
      callbackURL: CALLBACK,
      component,
      axios: new WeChatStub().axios,
    }));
    apps = moduleRef.get(WxOAuthApps);
  });
  afterEach(() => moduleRef.close());

  it("serves a merchant's official account and mini-program on the platform's behalf, with no secret", async () => {
    const registration = await apps.forRequest(requestAt('shop.example.com'));
    const { client } = registration.forScope('snsapi_userinfo');
    expect(client.componentAppid).toBe(component.appid);
    expect(client.getAuthorizeUrl(CALLBACK, 'snsapi_userinfo')).toContain(
      `&component_appid=${component.appid}#wechat_redirect`,
    );
    expect(registration.miniProgram().client.componentAppid).toBe(component.appid);
  });

  it("serves a merchant's account through the platform beside the tenant's own WeCom app", async () => {
    const registration = await apps.forRequest(requestAt('corp.example.com'));
    expect(registration.forScope('snsapi_base').client.componentAppid).toBe(component.appid);
    expect(registration.weCom()).toMatchObject({
      client: { corpid: 'ww0corp0apps', agentid: '1000002' },
      callbackURL: 'https://corp.example.com/auth/wecom',
      tenant: 'corp',
    });
  });

  it('refuses one with a secret as well: a merchant served through the platform has none', async () => {
    const error = await rejectionOf(apps.forRequest(requestAt('mixed.example.com')));
    expect(error).toMatchObject({ kind: 'app_config' });
    expect(error.message).toMatch(
      /officialAccount through the platform needs its appid and no secret$/,
    );
    expect(error.message).not.toContain('a-secret-it-should-not-have');
  });
});
