import { DataSource, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import type { WxIdentity } from '../identities/wx-identity.js';
import { WX_IDENTITY_ENTITIES, WX_IDENTITY_MIGRATIONS } from './wx-identity-schema.js';
import { WxIdentityEntity } from './wx-identity.entity.js';
import { WxTypeOrmIdentityStore } from './wx-typeorm-identity-store.js';
import { WxUnionidEntity } from './wx-unionid.entity.js';

/** The app's own users, in the same database. */
@Entity('spec_users')
class SpecUser {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;
}

const identity = (userId: string, changes: Partial<WxIdentity> = {}): WxIdentity => ({
  kind: 'website',
  appid: 'wxwebsite',
  openid: 'o-ann',
  userId,
  linkedAt: new Date('2026-01-02T03:04:05.678Z'),
  ...changes,
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WxTypeOrmIdentityStore (on sql.js, in memory)', () => {
  let dataSource: DataSource;
  let store: WxTypeOrmIdentityStore;

  beforeEach(async () => {
    dataSource = await new DataSource({
      type: 'sqljs',
      entities: [...WX_IDENTITY_ENTITIES, SpecUser],
      migrations: WX_IDENTITY_MIGRATIONS,
      migrationsRun: true,
    }).initialize();
    await dataSource.synchronize(); // the spec's own users table
    store = new WxTypeOrmIdentityStore(dataSource);
  });
  afterEach(() => dataSource.destroy());

  it('has a migration that makes the schema the entities describe, and one that drops it', async () => {
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);

    await dataSource.undoLastMigration();

    const runner = dataSource.createQueryRunner();
    expect(await runner.hasTable('wx_identities')).toBe(false);
    expect(await runner.hasTable('wx_unionids')).toBe(false);
    await runner.release();
  });

  it('writes and reads identities as WxIdentities see them', async () => {
    await store.transaction(async (writer) => {
      await writer.insert(identity('u1'));
      const older = new Date('2026-01-01T00:00:00.000Z');
      await writer.insert(identity('u1', { appid: 'wxmini', unionid: 'un1', linkedAt: older }));
    });

    expect(await store.find('wxwebsite', 'o-ann')).toEqual(identity('u1'));
    expect(await store.find('wxwebsite', 'o-bob')).toBeUndefined();
    expect((await store.listFor('u1')).map((i) => i.appid)).toEqual(['wxmini', 'wxwebsite']);

    await store.transaction(async (writer) => {
      await writer.update('wxwebsite', 'o-ann', { unionid: 'un1', userId: 'u2' });
      await writer.remove('wxmini', 'o-ann');
    });
    expect(await store.find('wxwebsite', 'o-ann')).toEqual(identity('u2', { unionid: 'un1' }));
    expect(await store.listFor('u1')).toEqual([]);
  });

  it('claims a unionid for its first user, answers that user after, and releases it', async () => {
    const answers = await store.transaction(async (writer) => [
      await writer.claimUnionid('un1', 'u1'),
      await writer.claimUnionid('un1', 'u2'),
    ]);
    expect(answers).toEqual(['u1', 'u1']);
    expect(await store.ownerOf('un1')).toBe('u1');

    await store.transaction((writer) => writer.releaseUnionid('un1'));
    expect(await store.ownerOf('un1')).toBeUndefined();
  });

  it('gives a key to one of twenty concurrent transactions, with the app user it wrote', async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (writer) => {
          await writer.tx.insert(SpecUser, { id: `u${i}` });
          const owner = await writer.claimUnionid('un1', `u${i}`);
          const holder = await writer.insert(identity(`u${i}`));
          return { owner, holder };
        }),
      ),
    );

    expect(new Set(claims.map((c) => c.owner))).toEqual(new Set(['u0']));
    expect(new Set(claims.map((c) => c.holder))).toEqual(new Set(['u0']));
    expect(await dataSource.manager.count(WxUnionidEntity)).toBe(1);
    expect(await dataSource.manager.count(WxIdentityEntity)).toBe(1);
  });

  it("rolls back the transaction's writes and the app's, through writer.tx, when the work throws", async () => {
    const failure = new Error('createUser failed');
    await expect(
      store.transaction(async (writer) => {
        await writer.tx.insert(SpecUser, { id: 'u1' });
        await writer.claimUnionid('un1', 'u1');
        await writer.insert(identity('u1', { unionid: 'un1' }));
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect(await dataSource.manager.count(SpecUser)).toBe(0);
    expect(await store.ownerOf('un1')).toBeUndefined();
    expect(await store.find('wxwebsite', 'o-ann')).toBeUndefined();
  });

  it('reads after the running transaction, never its uncommitted rows (sql.js has one connection)', async () => {
    const inserted = deferred();
    const gate = deferred();
    let tx: EntityManager | undefined;
    const running = store.transaction(async (writer) => {
      tx = writer.tx;
      await writer.insert(identity('u1'));
      inserted.resolve();
      await gate.promise;
      throw new Error('rolled back');
    });
    await inserted.promise;

    const read = store.find('wxwebsite', 'o-ann');
    gate.resolve();

    await expect(running).rejects.toThrow('rolled back');
    expect(await read).toBeUndefined();
    expect(tx).not.toBe(dataSource.manager);
  });

  it("lets the app's code in a transaction read the store (sql.js: without waiting for itself)", async () => {
    const seen = await store.transaction(async (writer) => {
      await writer.insert(identity('u1'));
      return store.find('wxwebsite', 'o-ann');
    });

    expect(seen).toEqual(identity('u1'));
  });

  it('refuses a DataSource that does not know its entities, saying what to add', async () => {
    const bare = await new DataSource({ type: 'sqljs', entities: [SpecUser] }).initialize();
    expect(() => new WxTypeOrmIdentityStore(bare)).toThrow(/WX_IDENTITY_ENTITIES/);
    await bare.destroy();
  });
});
