import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type Running } from './child-process.js';
import { freePort } from './free-port.js';

export interface RedisServerOptions {
  /** The port, when it must be known beforehand (a sentinel's configuration names it); else a free one. */
  port?: number;
  /** More of redis-server's options, as arguments: `['--cluster-enabled', 'yes']`. */
  args?: string[];
  /** A configuration file's text, for what only a file holds (a sentinel's). */
  config?: string;
  /** What the server logs once it serves. @default /Ready to accept connections/ */
  ready?: RegExp;
}

/**
 * A throwaway redis-server on loopback, with no persistence, that a test can
 * stop and start again; each start has a temporary directory of its own (a
 * cluster node's or a sentinel's configuration), removed when it stops.
 */
export class RedisServer {
  private running?: Running;
  private dir?: string;

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(options.port ?? (await freePort()), options);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `127.0.0.1:<port>`, as cluster and sentinel lists name it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'wx-oauth-redis-'));
    this.dir = dir;
    const config = this.options.config === undefined ? [] : [join(dir, 'redis.conf')];
    if (config.length) await writeFile(config[0], this.options.config!);
    const args = [
      ...config,
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      ...(this.options.args ?? []),
    ];
    this.running = await startProcess(['redis-server', ...args], {
      cwd: dir,
      env: process.env,
      ready: this.options.ready ?? /Ready to accept connections/,
    }).catch(async (error: unknown) => {
      await this.removeDir();
      throw error;
    });
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
    await this.removeDir();
  }

  /** Ends the server as a crash does (SIGKILL): no shutdown, no last word to its replicas or clients. */
  async kill(): Promise<void> {
    const child = this.running?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    this.running = undefined;
    await this.removeDir();
  }

  private async removeDir(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
