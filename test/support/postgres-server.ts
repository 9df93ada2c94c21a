import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const POSTGRESQL = '/usr/lib/postgresql';

/**
 * A throwaway PostgreSQL (Debian's `postgresql`) in a temporary folder, listening on a loopback
 * port, with no durability (fsync off). PostgreSQL refuses to run as root: as root, its commands
 * run as the `postgres` user, which owns the folder.
 */
export class PostgresServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PostgresServer> {
    const bin = await binaries();
    const dir = await mkdtemp(join(tmpdir(), 'wx-postgres-'));
    const server = new PostgresServer(await freePort(), dir, bin);
    const settings = [
      `-p ${server.port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${dir}`,
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    ];
    try {
      if (process.getuid?.() === 0) await chown(dir, await idOf('-u'), await idOf('-g'));
      await server.command(
        'initdb',
        '-D',
        server.data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '--no-sync',
      );
      await server.command(
        'pg_ctl',
        '-D',
        server.data,
        '-l',
        join(dir, 'log'),
        '-o',
        settings.join(' '),
        '-w',
        'start',
      );
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** The URL of a database on this server (`postgres`, the one initdb made, unless named). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async stop(): Promise<void> {
    try {
      await this.command('pg_ctl', '-D', this.data, '-m', 'fast', '-w', 'stop');
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private async command(name: string, ...args: string[]): Promise<void> {
    const command = join(this.bin, name);
    const [file, argv] =
      process.getuid?.() === 0
        ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
        : [command, args];
    await run(file, argv, { cwd: this.dir, timeout: 60_000 });
  }
}

/** The newest installed version's bin/ folder (Debian keeps it off PATH). */
async function binaries(): Promise<string> {
  const versions = (await readdir(POSTGRESQL).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0)
    throw new Error(`PostgreSQL is not installed in ${POSTGRESQL}: run scripts/setup-test-deps.sh`);
  return join(POSTGRESQL, versions[0]!, 'bin');
}

/** The `postgres` user's uid or gid. */
async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, 'postgres']);
  return Number(stdout.trim());
}
