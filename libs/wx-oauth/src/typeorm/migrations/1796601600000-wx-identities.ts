import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates `wx_identities` and `wx_unionids` as `WxIdentityEntity` and
 * `WxUnionidEntity` describe them, through TypeORM's table API, so that one
 * migration serves every SQL driver (the dates take the driver's type for a `Date`).
 *
 * @publicApi
 */
export class WxIdentities1796601600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const date = queryRunner.connection.driver.normalizeType({ type: Date });
    const identitiesKey = { primaryKeyConstraintName: 'PK_wx_identities' };
    await queryRunner.createTable(
      new Table({
        name: 'wx_identities',
        columns: [
          { name: 'appid', type: 'varchar', length: '32', isPrimary: true, ...identitiesKey },
          { name: 'openid', type: 'varchar', length: '64', isPrimary: true, ...identitiesKey },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'unionid', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_id', type: 'varchar', length: '128' },
          { name: 'linked_at', type: date },
        ],
        indices: [
          { name: 'IDX_wx_identities_user_id', columnNames: ['user_id'] },
          { name: 'IDX_wx_identities_unionid', columnNames: ['unionid'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'wx_unionids',
        columns: [
          {
            name: 'unionid',
            type: 'varchar',
            length: '64',
            isPrimary: true,
            primaryKeyConstraintName: 'PK_wx_unionids',
          },
          { name: 'user_id', type: 'varchar', length: '128' },
          { name: 'created_at', type: date },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('wx_unionids');
    await queryRunner.dropTable('wx_identities');
  }
}
