import type { Repository } from 'typeorm';
import type { DemoMerchantEntity } from '../database/demo-merchant.entity.js';
import { DemoTenants, SITE_TENANT } from './demo-tenants.js';

const TEA_HOUSE = {
  id: '0123456789abcdef',
  appid: 'wx0teahouse',
  name: 'Tea House',
  authorizerRefreshToken: 'refreshtoken@@@tea',
  permissions: '1,2,3,4',
  status: 'revoked',
} as DemoMerchantEntity;

/** The merchants' table, as the resolver reads it: by id, by appid. */
const table = {
  findOneBy: ({ id, appid }: { id?: string; appid?: string }) =>
    Promise.resolve(
      (id !== undefined && id === TEA_HOUSE.id) ||
        (appid !== undefined && appid === TEA_HOUSE.appid)
        ? TEA_HOUSE
        : null,
    ),
} as unknown as Repository<DemoMerchantEntity>;

const SITE = {
  officialAccount: { appid: 'wx0site0official', secret: 'a' },
  website: { appid: 'wx0site0website', secret: 'b' },
};

const request = (path: string) => ({
  path,
  host: 'saas.localhost',
  hostname: 'saas.localhost',
  headers: {},
});

describe('DemoTenants', () => {
  const tenants = new DemoTenants(SITE, table);

  it("answers a merchant's tenant at its pages, and the site's everywhere else", () => {
    expect(tenants.tenantOf(request(`/m/${TEA_HOUSE.id}/auth/wechat`))).toBe(TEA_HOUSE.id);
    expect(tenants.tenantOf(request(`/m/${TEA_HOUSE.id}`))).toBe(TEA_HOUSE.id);
    for (const path of ['/auth/wechat', '/auth/wechat/callback', '/mx/0123456789abcdef'])
      expect(tenants.tenantOf(request(path))).toBe(SITE_TENANT);
    // Below /m/, a path that names no merchant is no tenant's (404), never the site's.
    expect(tenants.tenantOf(request('/m/not-an-id/auth/wechat'))).toBeUndefined();
  });

  it('serves a merchant through the platform with its refresh token and no secret, revoked or not', async () => {
    expect(await tenants.load(TEA_HOUSE.id)).toEqual({
      id: TEA_HOUSE.id,
      officialAccount: {
        appid: 'wx0teahouse',
        component: true,
        authorizerRefreshToken: 'refreshtoken@@@tea',
      },
    });
    expect(await tenants.load('fedcba9876543210')).toBeUndefined();
    expect(await tenants.load(SITE_TENANT)).toEqual({ id: SITE_TENANT, ...SITE });
  });

  it("finds the tenant of an appid: the site's apps, then the merchants'", async () => {
    expect(await tenants.tenantOfAppid('wx0site0website')).toBe(SITE_TENANT);
    expect(await tenants.tenantOfAppid('wx0teahouse')).toBe(TEA_HOUSE.id);
    expect(await tenants.tenantOfAppid('wx0unknown')).toBeUndefined();
  });

  it('has no site tenant when the site has no app of its own (a SaaS on the platform alone)', async () => {
    const platformOnly = new DemoTenants({}, table);
    expect(platformOnly.tenantOf(request('/auth/wechat'))).toBeUndefined();
    expect(await platformOnly.load(SITE_TENANT)).toBeUndefined();
    expect(platformOnly.tenantOf(request(`/m/${TEA_HOUSE.id}/auth/wechat`))).toBe(TEA_HOUSE.id);
  });
});
