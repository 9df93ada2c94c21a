import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WxIdentities, WxIdentitiesModule, type WxWeChatProfile } from 'nest-wx-oauth';
import {
  WX_IDENTITY_ENTITIES,
  WX_IDENTITY_MIGRATIONS,
  WxTypeOrmIdentityStore,
} from 'nest-wx-oauth/typeorm';
import {
  Column,
  DataSource,
  Entity,
  PrimaryColumn,
  type DataSourceOptions,
  type EntityManager,
} from 'typeorm';
import {
  describeWxIdentities,
  profileOf,
  type IdentitiesFixture,
} from '../libs/wx-oauth/src/identities/wx-identities.spec-helper.js';
import { PostgresServer } from './support/postgres-server.js';

/** The app's own users, beside the identities in the same database. */
@Entity('test_users')
class TestUser {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  openid!: string;
}

/** The identities' tables made by their migration, the app's users table by synchronize. */
async function appDatabase(connection: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource({
    ...connection,
    entities: [...WX_IDENTITY_ENTITIES, TestUser],
    migrations: WX_IDENTITY_MIGRATIONS,
    migrationsRun: true,
  } as DataSourceOptions).initialize();
  await dataSource.synchronize();
  return dataSource;
}

/** The store with the app's users created through the login's transaction, as an app's createUser does. */
function fixtureOf(dataSource: DataSource, dropped?: () => Promise<void>): IdentitiesFixture {
  return {
    store: new WxTypeOrmIdentityStore(dataSource),
    createUser: async (profile: WxWeChatProfile, tx: unknown) => {
      const id = randomUUID();
      await (tx as EntityManager).insert(TestUser, { id, openid: profile.openid });
      return id;
    },
    countUsers: () => dataSource.manager.count(TestUser),
    close: async () => {
      await dataSource.destroy();
      await dropped?.();
    },
  };
}

describe('nest-wx-oauth/typeorm on PostgreSQL', () => {
  let server: PostgresServer;
  let admin: DataSource;

  beforeAll(async () => {
    server = await PostgresServer.start();
    admin = await new DataSource({ type: 'postgres', url: server.url() }).initialize();
  });
  afterAll(async () => {
    await admin?.destroy();
    await server?.stop();
  });

  /** A new, empty database; `settings` as `ALTER DATABASE ... SET` takes them. */
  async function emptyDatabase(settings: string[] = []): Promise<DataSourceOptions> {
    const name = `wx_${randomUUID().replaceAll('-', '')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    for (const setting of settings) await admin.query(`ALTER DATABASE ${name} SET ${setting}`);
    return { type: 'postgres', url: server.url(name) };
  }

  it('migrates an empty database to the schema the entities describe, and back', async () => {
    const dataSource = await new DataSource({
      ...(await emptyDatabase()),
      entities: WX_IDENTITY_ENTITIES,
      migrations: WX_IDENTITY_MIGRATIONS,
      migrationsRun: true,
    } as DataSourceOptions).initialize();

    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    const runner = dataSource.createQueryRunner();
    expect(await runner.hasTable('wx_identities')).toBe(true);

    await dataSource.undoLastMigration();

    expect(await runner.hasTable('wx_identities')).toBe(false);
    expect(await runner.hasTable('wx_unionids')).toBe(false);
    await runner.release();
    await dataSource.destroy();
  });

  it('runs its transactions at READ COMMITTED, so that twenty racing claims end with one holder where the default is REPEATABLE READ', async () => {
    const dataSource = await appDatabase(
      await emptyDatabase(["default_transaction_isolation TO 'repeatable read'"]),
    );
    const store = new WxTypeOrmIdentityStore(dataSource);

    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (writer) => {
          const [{ transaction_isolation: isolation }] = await writer.tx.query(
            'SHOW transaction_isolation',
          );
          await writer.tx.insert(TestUser, { id: `u${i}`, openid: `o${i}` });
          return { isolation, owner: await writer.claimUnionid('un1', `u${i}`) };
        }),
      ),
    );

    expect(new Set(claims.map((c) => c.isolation))).toEqual(new Set(['read committed']));
    const owners = new Set(claims.map((c) => c.owner));
    expect(owners.size).toBe(1);
    expect(await store.ownerOf('un1')).toBe([...owners][0]);
    await dataSource.destroy();
  });

  it("rolls back the app's writes through writer.tx with the transaction", async () => {
    const dataSource = await appDatabase(await emptyDatabase());
    const store = new WxTypeOrmIdentityStore(dataSource);

    await expect(
      store.transaction(async (writer) => {
        await writer.tx.insert(TestUser, { id: 'u1', openid: 'o1' });
        await writer.claimUnionid('un1', 'u1');
        throw new Error('the login failed');
      }),
    ).rejects.toThrow('the login failed');

    expect(await dataSource.manager.count(TestUser)).toBe(0);
    expect(await store.ownerOf('un1')).toBeUndefined();
    await dataSource.destroy();
  });

  describeWxIdentities('TypeORM and PostgreSQL', async () => {
    const dataSource = await appDatabase(await emptyDatabase());
    return fixtureOf(dataSource);
  });
});

describe('nest-wx-oauth/typeorm on sql.js (no server, no native build)', () => {
  it("wires into a Nest app through @nestjs/typeorm's DataSource", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'sqljs',
            entities: [...WX_IDENTITY_ENTITIES, TestUser],
            migrations: WX_IDENTITY_MIGRATIONS,
            migrationsRun: true,
            synchronize: true, // the spec's own users table; the identities' are the migration's
          }),
        }),
        WxIdentitiesModule.forRootAsync({
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => ({
            store: new WxTypeOrmIdentityStore(dataSource),
          }),
        }),
      ],
    }).compile();
    const identities = moduleRef.get(WxIdentities);
    const dataSource = moduleRef.get(DataSource);
    const createUser = fixtureOf(dataSource).createUser;

    const web = await identities.resolve(profileOf('website', 'amy'), createUser);
    const mini = await identities.resolve(profileOf('miniProgram', 'amy'), createUser);

    expect(mini).toEqual({ userId: web.userId, created: false });
    expect(await dataSource.manager.count(TestUser)).toBe(1);
    expect(await dataSource.query('SELECT name FROM migrations')).toEqual([
      { name: 'WxIdentities1796601600000' },
    ]);
    await moduleRef.close();
  });

  describeWxIdentities('TypeORM and sql.js', async () =>
    fixtureOf(await appDatabase({ type: 'sqljs' })),
  );
});
