import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, DatabaseType, EntityManager, Repository } from 'typeorm';
import type { WxIdentity } from '../identities/wx-identity.js';
import type {
  WxIdentityStore,
  WxIdentityWriter,
} from '../identities/wx-identity-store.interface.js';
import { OneAtATime } from '../utils/one-at-a-time.js';
import { WxIdentityEntity } from './wx-identity.entity.js';
import { WxUnionidEntity } from './wx-unionid.entity.js';

/** SQLite drivers: one connection, on which TypeORM would nest a second transaction inside the first. */
const ONE_CONNECTION: ReadonlySet<DatabaseType> = new Set<DatabaseType>([
  'better-sqlite3',
  'capacitor',
  'cordova',
  'expo',
  'nativescript',
  'react-native',
  'sqljs',
]);

/**
 * The drivers whose transactions take READ COMMITTED on TypeORM 0.3, which does not list a
 * driver's isolation levels (`supportedIsolationLevels` is TypeORM 1's). Aurora's Data API
 * drivers are not among them: their 0.3 query runners ignore the level.
 */
const READ_COMMITTED_ON_0_3: ReadonlySet<DatabaseType> = new Set<DatabaseType>([
  'cockroachdb',
  'mariadb',
  'mssql',
  'mysql',
  'oracle',
  'postgres',
  'sap',
]);

/** Whether the data source's transactions can run at READ COMMITTED, on TypeORM 1 or 0.3. */
function hasReadCommitted(dataSource: DataSource): boolean {
  // Undefined on TypeORM 0.3, whatever its types say.
  const levels = dataSource.driver.supportedIsolationLevels as
    DataSource['driver']['supportedIsolationLevels'] | undefined;
  return levels
    ? levels.includes('READ COMMITTED')
    : READ_COMMITTED_ON_0_3.has(dataSource.options.type);
}

/** The reads and writes of `WxIdentities` on one `EntityManager`: the data source's, or a transaction's. */
class TypeOrmIdentities implements WxIdentityWriter<EntityManager> {
  private readonly identities: Repository<WxIdentityEntity>;
  private readonly unionids: Repository<WxUnionidEntity>;

  constructor(readonly tx: EntityManager) {
    this.identities = tx.getRepository(WxIdentityEntity);
    this.unionids = tx.getRepository(WxUnionidEntity);
  }

  async find(appid: string, openid: string): Promise<WxIdentity | undefined> {
    const row = await this.identities.findOneBy({ appid, openid });
    return row ? identityOf(row) : undefined;
  }

  async ownerOf(unionid: string): Promise<string | undefined> {
    return (await this.unionids.findOneBy({ unionid }))?.userId;
  }

  async listFor(userId: string): Promise<WxIdentity[]> {
    const rows = await this.identities.find({
      where: { userId },
      order: { linkedAt: 'ASC', appid: 'ASC', openid: 'ASC' },
    });
    return rows.map(identityOf);
  }

  // Insert unless held, then read the holder: a concurrent insert of the same key waits
  // for the first transaction to end, and at READ COMMITTED the read then sees its row.
  async claimUnionid(unionid: string, userId: string): Promise<string> {
    await this.unionids
      .createQueryBuilder()
      .insert()
      .values({ unionid, userId, createdAt: new Date() })
      .orIgnore()
      .updateEntity(false)
      .execute();
    return (await this.unionids.findOneByOrFail({ unionid })).userId;
  }

  async insert(identity: WxIdentity): Promise<string> {
    const { kind, appid, openid, unionid, userId, linkedAt } = identity;
    await this.identities
      .createQueryBuilder()
      .insert()
      .values({ kind, appid, openid, unionid: unionid ?? null, userId, linkedAt })
      .orIgnore()
      .updateEntity(false)
      .execute();
    return (await this.identities.findOneByOrFail({ appid, openid })).userId;
  }

  async update(
    appid: string,
    openid: string,
    { unionid, userId }: Pick<WxIdentity, 'unionid' | 'userId'>,
  ): Promise<void> {
    await this.identities.update({ appid, openid }, { userId, ...(unionid ? { unionid } : {}) });
  }

  async remove(appid: string, openid: string): Promise<void> {
    await this.identities.delete({ appid, openid });
  }

  async releaseUnionid(unionid: string): Promise<void> {
    await this.unionids.delete({ unionid });
  }
}

function identityOf({
  kind,
  appid,
  openid,
  unionid,
  userId,
  linkedAt,
}: WxIdentityEntity): WxIdentity {
  return { kind, appid, openid, ...(unionid ? { unionid } : {}), userId, linkedAt };
}

/**
 * The identities in the app's database, through TypeORM: the tables of
 * `WX_IDENTITY_ENTITIES` (created by `WX_IDENTITY_MIGRATIONS`), in the app's
 * own transactions, so that `createUser` writes its user through `writer.tx`
 * (an `EntityManager`) and a login that loses a race leaves no user behind.
 * Transactions run at READ COMMITTED where the database has it (PostgreSQL,
 * MySQL); on the SQLite drivers, which have one connection, they run one at a time.
 *
 * ```ts
 * WxIdentitiesModule.forRootAsync({
 *   inject: [DataSource],
 *   useFactory: (dataSource: DataSource) => ({ store: new WxTypeOrmIdentityStore(dataSource) }),
 * })
 * ```
 *
 * @publicApi
 */
export class WxTypeOrmIdentityStore implements WxIdentityStore<EntityManager> {
  private readonly isolation?: 'READ COMMITTED';
  /** The SQLite drivers' work, in order; undefined for a database with a pool. */
  private readonly queue?: OneAtATime;
  /** Set inside this store's transaction: the app's code reading the store there is in its turn already. */
  private readonly inTransaction = new AsyncLocalStorage<true>();

  constructor(private readonly dataSource: DataSource) {
    if (ONE_CONNECTION.has(dataSource.options.type)) this.queue = new OneAtATime();
    else if (hasReadCommitted(dataSource)) this.isolation = 'READ COMMITTED';
    if (dataSource.isInitialized && !dataSource.hasMetadata(WxIdentityEntity))
      throw new Error(
        "WxTypeOrmIdentityStore's DataSource does not know its entities: add WX_IDENTITY_ENTITIES to its entities",
      );
  }

  find(appid: string, openid: string): Promise<WxIdentity | undefined> {
    return this.inTurn(() => this.outside().find(appid, openid));
  }

  ownerOf(unionid: string): Promise<string | undefined> {
    return this.inTurn(() => this.outside().ownerOf(unionid));
  }

  listFor(userId: string): Promise<WxIdentity[]> {
    return this.inTurn(() => this.outside().listFor(userId));
  }

  transaction<T>(work: (writer: WxIdentityWriter<EntityManager>) => Promise<T>): Promise<T> {
    const run = (tx: EntityManager) => work(new TypeOrmIdentities(tx));
    return this.inTurn(() =>
      this.inTransaction.run(true, () =>
        this.isolation
          ? this.dataSource.transaction(this.isolation, run)
          : this.dataSource.transaction(run),
      ),
    );
  }

  private outside(): TypeOrmIdentities {
    return new TypeOrmIdentities(this.dataSource.manager);
  }

  /** Runs `call` now, or on a SQLite driver after the work before it (a read too, so that it never sees a transaction's uncommitted rows). */
  private inTurn<T>(call: () => Promise<T>): Promise<T> {
    return !this.queue || this.inTransaction.getStore() ? call() : this.queue.run(call);
  }
}
