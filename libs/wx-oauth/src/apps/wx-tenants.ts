import { Injectable } from '@nestjs/common';
import { WxOAuthApps } from './wx-oauth-apps.js';

/**
 * The tenants' side of the module (`tenants`), for the app's own code.
 *
 * @publicApi
 */
@Injectable()
export class WxTenants {
  constructor(private readonly apps: WxOAuthApps) {}

  /**
   * Drops this process's cached registration of `tenantId`, after its apps or
   * secrets changed or it was removed: the next request loads it again. Other
   * instances load it again within `tenants.cacheTtl`.
   */
  forget(tenantId: string): void {
    this.apps.forget(tenantId);
  }
}
