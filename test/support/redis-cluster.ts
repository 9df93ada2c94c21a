import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { RedisServer } from './redis-server.js';

const run = promisify(execFile);

/**
 * A throwaway Redis Cluster of three masters (no replicas) on loopback, made
 * with `redis-cli --cluster create`; its bus ports are free ports too.
 */
export class RedisCluster {
  private constructor(readonly masters: readonly RedisServer[]) {}

  static async start(): Promise<RedisCluster> {
    const masters: RedisServer[] = [];
    const cluster = new RedisCluster(masters);
    try {
      for (let i = 0; i < 3; i++) {
        const args = ['--cluster-enabled', 'yes', '--cluster-port', String(await freePort())];
        masters.push(await RedisServer.start({ args }));
      }
      await run('redis-cli', [
        '--cluster',
        'create',
        ...masters.map((m) => m.address),
        '--cluster-yes',
      ]);
      await cluster.whenEveryNodeAgrees();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** `127.0.0.1:<port>` of each master: what `REDIS_CLUSTER_NODES` and `new Cluster()` take. */
  get nodes(): string[] {
    return this.masters.map((m) => m.address);
  }

  async stop(): Promise<void> {
    await Promise.all(this.masters.map((m) => m.stop()));
  }

  /** `redis-cli` returns once the slots are assigned; each node says `cluster_state:ok` a moment later. */
  private async whenEveryNodeAgrees(): Promise<void> {
    for (const master of this.masters) {
      const node = new Redis(master.url);
      try {
        for (let i = 0; !String(await node.cluster('INFO')).includes('cluster_state:ok'); i++) {
          if (i === 100) throw new Error(`cluster node ${master.address} never became ok`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        node.disconnect();
      }
    }
  }
}
