import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { RedisServer } from './redis-server.js';

/** How often the helpers look again at what Redis reports, and how many times at most. */
const POLL_MS = 50;
const POLLS = 400;

/**
 * A throwaway master, its replica and three sentinels watching it (quorum 2)
 * on loopback. The sentinels know each other and the replica from the start
 * (their configuration names them), so a failover can happen at once; they
 * call the master down after 400 ms without an answer.
 */
export class RedisSentinels {
  /** The master's name in the sentinels' configuration: `REDIS_SENTINEL_NAME`. */
  readonly name = 'wx-oauth';

  private constructor(
    public master: RedisServer,
    public replica: RedisServer,
    private readonly sentinels: RedisServer[],
  ) {}

  static async start(): Promise<RedisSentinels> {
    const servers: RedisServer[] = [];
    const started = async (server: Promise<RedisServer>) => {
      servers.push(await server);
      return servers[servers.length - 1];
    };
    try {
      const master = await started(RedisServer.start());
      const replica = await started(
        RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] }),
      );
      await poll(replica, 'INFO', ['replication'], (info) =>
        info.includes('master_link_status:up'),
      );
      const ports = [await freePort(), await freePort(), await freePort()];
      const ids = ports.map(() => randomBytes(20).toString('hex'));
      const config = (i: number) =>
        [
          `sentinel myid ${ids[i]}`,
          `sentinel monitor wx-oauth 127.0.0.1 ${master.port} 2`,
          'sentinel down-after-milliseconds wx-oauth 400',
          'sentinel failover-timeout wx-oauth 3000',
          `sentinel known-replica wx-oauth 127.0.0.1 ${replica.port}`,
          ...ports
            .map((port, j) => `sentinel known-sentinel wx-oauth 127.0.0.1 ${port} ${ids[j]}`)
            .filter((_, j) => j !== i),
          '',
        ].join('\n');
      const sentinels: RedisServer[] = [];
      for (const [i, port] of ports.entries()) {
        sentinels.push(
          await started(
            RedisServer.start({
              port,
              config: config(i),
              args: ['--sentinel'],
              ready: /\+monitor master/,
            }),
          ),
        );
      }
      return new RedisSentinels(master, replica, sentinels);
    } catch (error) {
      await Promise.all(servers.map((s) => s.stop()));
      throw error;
    }
  }

  /** `127.0.0.1:<port>` of each sentinel: what `REDIS_SENTINELS` takes. */
  get addresses(): string[] {
    return this.sentinels.map((s) => s.address);
  }

  /**
   * Kills the master as a crash does, and resolves once every sentinel names
   * the replica as the master; `master` and `replica` are swapped then (the
   * old master stays down).
   */
  async crashMaster(): Promise<void> {
    await this.master.kill();
    const promoted = String(this.replica.port);
    for (const sentinel of this.sentinels)
      await poll(sentinel, 'SENTINEL', ['get-master-addr-by-name', this.name], (address) =>
        address.endsWith(`,${promoted}`),
      );
    [this.master, this.replica] = [this.replica, this.master];
  }

  async stop(): Promise<void> {
    await Promise.all([this.master, this.replica, ...this.sentinels].map((s) => s.stop()));
  }
}

/** Asks `server` until `done` holds for its answer (as text, arrays joined by commas). */
async function poll(
  server: RedisServer,
  command: string,
  args: string[],
  done: (answer: string) => boolean,
): Promise<void> {
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    for (let i = 0; ; i++) {
      const answer = await client.call(command, ...args).catch(() => '');
      if (done(String(answer))) return;
      if (i === POLLS) throw new Error(`${server.address} never answered ${command} as expected`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    client.disconnect();
  }
}
