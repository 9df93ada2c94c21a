import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ConfigService } from '@nestjs/config';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { WX_IDENTITY_ENTITIES, WX_IDENTITY_MIGRATIONS } from 'nest-wx-oauth/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DemoEnv } from '../config/demo.config.js';
import { DemoMerchantEntity } from './demo-merchant.entity.js';
import { DemoMerchants1796601600200 } from './demo-merchants.migration.js';
import { DemoUserEntity } from './demo-user.entity.js';
import { DemoUsers1796601600100 } from './demo-users.migration.js';

/** `DEMO_DB_FILE=:memory:`: the embedded engine with no file, its users lost on exit (tests). */
export const IN_MEMORY = ':memory:';

type DemoConfig = ConfigService<DemoEnv, true>;

/** Any 64-bit number of the demo's own: the advisory lock its instances take to migrate a PostgreSQL database. */
const MIGRATION_LOCK = 7_240_311_032;

/**
 * `TypeOrmModule.forRootAsync`'s `useFactory`: PostgreSQL at `DATABASE_URL`, else the
 * embedded engine (sql.js: no server, no native build) in the file `DEMO_DB_FILE`.
 * Either way the schema is the migrations' (the library's identities, then the demo's
 * users and its SaaS's merchants), which `openDemoDatabase` runs at start-up.
 */
export async function demoDatabaseOptions(config: DemoConfig): Promise<TypeOrmModuleOptions> {
  const schema = {
    entities: [...WX_IDENTITY_ENTITIES, DemoUserEntity, DemoMerchantEntity],
    migrations: [...WX_IDENTITY_MIGRATIONS, DemoUsers1796601600100, DemoMerchants1796601600200],
    // Run by openDemoDatabase, in turn with the other instances; never `synchronize`: a
    // schema changes through a migration, on every database alike.
    migrationsRun: false,
    synchronize: false,
  };
  const url = config.get('DATABASE_URL', { infer: true });
  // A server that is restarting gets a few seconds; a wrong address fails the start soon after.
  if (url) return { type: 'postgres', url, retryAttempts: 3, retryDelay: 1000, ...schema };
  const file = config.get('DEMO_DB_FILE', { infer: true });
  if (file === IN_MEMORY) return { type: 'sqljs', retryAttempts: 0, ...schema };
  const location = resolve(file);
  await mkdir(dirname(location), { recursive: true });
  return {
    type: 'sqljs',
    // Read at start-up when it exists; written after every change.
    location,
    autoSave: true,
    autoSaveCallback: fileWriter(location),
    retryAttempts: 0,
    ...schema,
  };
}

/**
 * `TypeOrmModule.forRootAsync`'s `dataSourceFactory`: connects, then runs the pending
 * migrations (`migrationsRun`, made safe for several instances). On PostgreSQL they
 * run under an advisory lock: instances started together on an empty database
 * (`docker compose up --scale demo=2`) migrate it once, the others wait and find
 * nothing left to do.
 */
export async function openDemoDatabase(options?: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options!).initialize();
  try {
    if (dataSource.options.type !== 'postgres') await dataSource.runMigrations();
    else await inTurn(dataSource, () => dataSource.runMigrations());
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

/** Runs `work` while one of the pool's connections holds the demo's advisory lock (waiting for it first). */
async function inTurn(dataSource: DataSource, work: () => Promise<unknown>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

/** Where the users live, for the start-up line: never the URL, which holds the password. */
export function demoDatabaseName(config: DemoConfig): string {
  if (config.get('DATABASE_URL', { infer: true })) return 'PostgreSQL';
  const file = config.get('DEMO_DB_FILE', { infer: true });
  return file === IN_MEMORY ? 'memory' : file;
}

/**
 * Saves the whole database at each change, as sql.js exports it: into a new
 * file renamed over the old, so that a crash mid-write leaves the last save
 * whole, and one save after the other, so that the last change lands last.
 */
function fileWriter(location: string): (data: Uint8Array) => Promise<void> {
  const next = `${location}.next`;
  let last: Promise<void> = Promise.resolve();
  return (data) => {
    const saved = last.then(async () => {
      await writeFile(next, data);
      await rename(next, location);
    });
    last = saved.catch(() => undefined);
    return saved;
  };
}
