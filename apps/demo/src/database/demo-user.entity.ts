import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A demo user: one person, whichever WeChat apps they log in through. Their
 * identities (an openid per app) are `nest-wx-oauth/typeorm`'s rows, which
 * point here by `user_id`; this row keeps what the demo shows of the person,
 * as the latest login that brought it left it.
 */
@Entity('demo_users')
export class DemoUserEntity {
  /** A random UUID, made by the first login of the person. */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'PK_demo_users' })
  id!: string;

  /** WeChat's nickname; none from `snsapi_base` or a mini-program. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  nickname!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  headimgurl!: string | null;

  /** The number shared through the mini-program's phone button. */
  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
