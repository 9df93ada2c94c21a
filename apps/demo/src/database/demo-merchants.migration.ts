import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates `demo_merchants` as `DemoMerchantEntity` describes it, through
 * TypeORM's table API, for PostgreSQL and the embedded engine alike; it runs
 * after the demo's users, at start-up, whether or not the demo runs as a SaaS.
 */
export class DemoMerchants1796601600200 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const { createDate, createDateDefault, updateDate, updateDateDefault } = driver.mappedDataTypes;
    await queryRunner.createTable(
      new Table({
        name: 'demo_merchants',
        columns: [
          {
            name: 'id',
            type: 'varchar',
            length: '32',
            isPrimary: true,
            primaryKeyConstraintName: 'PK_demo_merchants',
          },
          { name: 'appid', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'authorizer_refresh_token', type: 'varchar', length: '512' },
          { name: 'permissions', type: 'varchar', length: '255' },
          { name: 'status', type: 'varchar', length: '16' },
          {
            name: 'created_at',
            type: driver.normalizeType({ type: createDate }),
            default: createDateDefault,
          },
          {
            name: 'updated_at',
            type: driver.normalizeType({ type: updateDate }),
            default: updateDateDefault,
          },
        ],
        uniques: [{ name: 'UQ_demo_merchants_appid', columnNames: ['appid'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('demo_merchants');
  }
}
