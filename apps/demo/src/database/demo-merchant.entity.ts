import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

/** Whether the merchant's account is served: `revoked` once it cancelled its authorisation. */
export type DemoMerchantStatus = 'connected' | 'revoked';

/**
 * A merchant of the demo's SaaS: an official account its owner authorised to
 * the third-party platform. Its users log in at `/m/<id>/`; the library serves
 * it as a tenant whose app goes through the platform, with no secret of the
 * merchant's anywhere.
 */
@Entity('demo_merchants')
@Unique('UQ_demo_merchants_appid', ['appid'])
export class DemoMerchantEntity {
  /** The merchant's id in the demo's paths: random, so the list of merchants is not guessable. */
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_demo_merchants' })
  id!: string;

  /** The merchant's official account (`authorizer_appid`); one merchant per account. */
  @Column({ type: 'varchar', length: 64 })
  appid!: string;

  /** The account's name as WeChat gave it (`nick_name`), for the pages. */
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /**
   * The `authorizer_refresh_token` its authorisation gave: the only way to the merchant's
   * own token, handed back to the library through the tenant. Never shown.
   */
  @Column({ name: 'authorizer_refresh_token', type: 'varchar', length: 512 })
  authorizerRefreshToken!: string;

  /** The permission sets (权限集) granted, by id, comma-separated: 4 (网页服务) is the web login's. */
  @Column({ type: 'varchar', length: 255 })
  permissions!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: DemoMerchantStatus;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
