import type {
  WxAppCredentials,
  WxTenant,
  WxTenantRequest,
  WxTenantResolver,
  WxWeComOptions,
} from 'nest-wx-oauth';
import type { Repository } from 'typeorm';
import type { DemoMerchantEntity } from '../database/demo-merchant.entity.js';
import { MERCHANTS_PREFIX, merchantOfPath } from './merchant-path.js';

/** The demo's own apps as a tenant: every page that is not a merchant's. */
export const SITE_TENANT = 'site';

/** The site's own apps, each with its secret. */
export type DemoSiteApps = Partial<
  Record<
    'officialAccount' | 'website' | 'miniProgram' | 'mobileApp' | 'multiEndApp',
    WxAppCredentials
  >
> & { wecom?: WxWeComOptions };

/**
 * The demo as a SaaS (`tenants.resolver`): its own apps are the `site` tenant,
 * for every path that is not a merchant's, so that each of its logins works as
 * without tenants; each merchant, at `/m/<id>/…`, is a tenant whose official
 * account is served through the third-party platform, with the refresh token
 * its authorisation gave and no secret. A revoked merchant is still answered:
 * the library refuses its logins (`authorizer_revoked`).
 */
export class DemoTenants implements WxTenantResolver {
  private readonly siteAppids: ReadonlySet<string>;
  /** Whether the site has apps of its own (WeChat's, or a WeCom app alone). */
  private readonly hasSite: boolean;

  constructor(
    private readonly site: DemoSiteApps,
    private readonly merchants: Repository<DemoMerchantEntity>,
  ) {
    this.siteAppids = new Set(
      Object.values(site).flatMap((app) => (app && 'appid' in app ? [app.appid] : [])),
    );
    this.hasSite = Object.values(site).some((app) => app !== undefined);
  }

  /** By path alone, with no database call: an unknown merchant is `load`'s to refuse (404), a malformed one's path no tenant's. */
  tenantOf({ path }: WxTenantRequest): string | undefined {
    if (path.startsWith(MERCHANTS_PREFIX)) return merchantOfPath(path);
    return this.hasSite ? SITE_TENANT : undefined;
  }

  async load(tenantId: string): Promise<WxTenant | undefined> {
    if (tenantId === SITE_TENANT)
      return this.hasSite ? { id: SITE_TENANT, ...this.site } : undefined;
    const merchant = await this.merchants.findOneBy({ id: tenantId });
    return merchant ? merchantTenant(merchant) : undefined;
  }

  async tenantOfAppid(appid: string): Promise<string | undefined> {
    if (this.siteAppids.has(appid)) return SITE_TENANT;
    return (await this.merchants.findOneBy({ appid }))?.id;
  }
}

/** A merchant as the library serves it: its official account, through the platform. */
function merchantTenant({ id, appid, authorizerRefreshToken }: DemoMerchantEntity): WxTenant {
  return { id, officialAccount: { appid, component: true, authorizerRefreshToken } };
}
