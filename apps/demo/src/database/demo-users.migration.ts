import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates `demo_users` as `DemoUserEntity` describes it, through TypeORM's
 * table API, so that one migration serves PostgreSQL and the embedded engine.
 * It runs after the library's `WX_IDENTITY_MIGRATIONS`, at start-up.
 */
export class DemoUsers1796601600100 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    // The types and defaults @CreateDateColumn and @UpdateDateColumn take on this driver.
    const { createDate, createDateDefault, updateDate, updateDateDefault } = driver.mappedDataTypes;
    await queryRunner.createTable(
      new Table({
        name: 'demo_users',
        columns: [
          {
            name: 'id',
            type: 'varchar',
            length: '36',
            isPrimary: true,
            primaryKeyConstraintName: 'PK_demo_users',
          },
          { name: 'nickname', type: 'varchar', length: '100', isNullable: true },
          { name: 'headimgurl', type: 'varchar', length: '512', isNullable: true },
          { name: 'phone_number', type: 'varchar', length: '32', isNullable: true },
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
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('demo_users');
  }
}
