import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { WxIdentity } from '../identities/wx-identity.js';

/**
 * One WeChat identity linked to one of the app's users (`WxIdentity`): table
 * `wx_identities`, keyed by `(appid, openid)`. Column types every TypeORM SQL
 * driver knows; `linked_at` is the driver's type for a `Date`.
 *
 * @publicApi
 */
@Entity('wx_identities')
@Index('IDX_wx_identities_user_id', ['userId'])
@Index('IDX_wx_identities_unionid', ['unionid'])
export class WxIdentityEntity {
  @PrimaryColumn({
    type: 'varchar',
    length: 32,
    primaryKeyConstraintName: 'PK_wx_identities',
  })
  appid!: string;

  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'PK_wx_identities',
  })
  openid!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: WxIdentity['kind'];

  /** Not unique: a person's identities in several apps share it (its owner is `WxUnionidEntity`'s). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid!: string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'linked_at', type: Date })
  linkedAt!: Date;
}
