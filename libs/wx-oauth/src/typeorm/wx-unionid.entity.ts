import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The owner of a unionid (a WeChat person across the apps of one Open Platform
 * account): table `wx_unionids`, keyed by the unionid, so that concurrent first
 * logins of one person give it one user.
 *
 * @publicApi
 */
@Entity('wx_unionids')
export class WxUnionidEntity {
  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'PK_wx_unionids',
  })
  unionid!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
