import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type WxComponentAuthorization, WxTenants } from 'nest-wx-oauth';
import type { Repository } from 'typeorm';
import { databaseCall } from '../database/database-call.js';
import { DemoMerchantEntity } from '../database/demo-merchant.entity.js';
import { newMerchantId } from './merchant-path.js';

/**
 * The SaaS's merchants, in the demo's database: connected through the
 * platform's authorisation page, revoked by their `unauthorized` event. After a
 * change, the library loads the merchant's tenant again (`WxTenants.forget`).
 */
@Injectable()
export class DemoMerchants {
  private readonly logger = new Logger(DemoMerchants.name);

  constructor(
    @InjectRepository(DemoMerchantEntity) private readonly rows: Repository<DemoMerchantEntity>,
    private readonly tenants: WxTenants,
  ) {}

  /** Every merchant, the first connected first. */
  list(): Promise<DemoMerchantEntity[]> {
    return this.database(() => this.rows.find({ order: { createdAt: 'ASC', id: 'ASC' } }));
  }

  async byId(id: string): Promise<DemoMerchantEntity | undefined> {
    return (await this.database(() => this.rows.findOneBy({ id }))) ?? undefined;
  }

  async byAppid(appid: string): Promise<DemoMerchantEntity | undefined> {
    return (await this.database(() => this.rows.findOneBy({ appid }))) ?? undefined;
  }

  /**
   * Keeps what an authorisation handed over (the refresh token WeChat gives once): a new
   * merchant for a new account, the same merchant (and address) for one that authorises again.
   */
  async connect(
    authorization: WxComponentAuthorization,
    name: string,
  ): Promise<DemoMerchantEntity> {
    const { authorizerAppid: appid, authorizerRefreshToken, permissions } = authorization;
    const details = {
      name: name.slice(0, 100),
      authorizerRefreshToken,
      permissions: permissions.join(','),
      status: 'connected' as const,
    };
    const known = await this.byAppid(appid);
    if (known) {
      await this.database(() => this.rows.update({ id: known.id }, details));
      this.tenants.forget(known.id);
      return { ...known, ...details };
    }
    const merchant = this.rows.create({ id: newMerchantId(), appid, ...details });
    return this.database(() => this.rows.save(merchant));
  }

  /** The account cancelled its authorisation: shown as revoked (the library refuses its logins). */
  async revoke(appid: string): Promise<void> {
    const known = await this.byAppid(appid);
    if (!known) return;
    await this.database(() => this.rows.update({ id: known.id }, { status: 'revoked' }));
    this.tenants.forget(known.id);
  }

  private database<T>(call: () => Promise<T>): Promise<T> {
    return databaseCall(this.logger, call);
  }
}
