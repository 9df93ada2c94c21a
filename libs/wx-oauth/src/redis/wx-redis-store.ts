import { Cluster, type ClusterNode, Redis, type RedisOptions, type SentinelAddress } from 'ioredis';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';

/**
 * How the store's own client reaches the servers: credentials, TLS, a database.
 *
 * @publicApi
 */
export type WxRedisConnectionOptions = Omit<
  RedisOptions,
  'host' | 'port' | 'path' | 'sentinels' | 'name'
>;

/**
 * A master watched by Redis Sentinel.
 *
 * @publicApi
 */
export interface WxRedisSentinelOptions {
  /** Some of the sentinels (`{ host, port }`); the client asks them where the master is. */
  sentinels: Partial<SentinelAddress>[];
  /** The master's name in the sentinels' configuration (`sentinel monitor <name> ...`). */
  name: string;
}

/**
 * Where the store's records live: give exactly one of `url`, `cluster`,
 * `sentinel` (the store then owns, and closes, the client it makes) or
 * `client` (the app's own, never closed by the store).
 *
 * @publicApi
 */
export interface WxRedisStoreOptions {
  /** One Redis server: `redis://[[user]:password@]host:6379[/db]`, `rediss://` for TLS. */
  url?: string;
  /** A Redis Cluster: some of its nodes (`'host:port'` or `{ host, port }`); the client learns the others from them. */
  cluster?: ClusterNode[];
  /** A master watched by Redis Sentinel; the client follows it across failovers. */
  sentinel?: WxRedisSentinelOptions;
  /**
   * For the client the store makes from `cluster` or `sentinel` (and beside a `url`):
   * `password`, `username`, `tls`, `db`; with Sentinel also `sentinelPassword`.
   */
  redisOptions?: WxRedisConnectionOptions;
  /**
   * Or a client of the app's: a `Redis` (plain, or made with `sentinels`) or a
   * `Cluster`, which the store never closes. Give it `enableOfflineQueue: false` to fail fast.
   */
  client?: Redis | Cluster;
  /** Prefix of every key, without `{` or `}` (the store sets each key's hash tag). @default 'wx-oauth:' */
  prefix?: string;
  /** Milliseconds any Redis command may take before it fails with 'store_unavailable'. @default 1000 */
  timeout?: number;
}

// Compare-and-act scripts, atomic in Redis. SET_IF_LOCKED's two keys share a hash tag: one slot in a cluster.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
const SET_IF_LOCKED = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The module's records in Redis, shared by every instance of the app: one
 * server, a Redis Cluster, or a master watched by Sentinel. A Redis that is
 * down, slow or failing over fails each call within `timeout` with a
 * 'store_unavailable' error (503); the client reconnects by itself, and with
 * Sentinel finds the new master.
 *
 * A record's key is `<prefix>{<key>}` (`wx-oauth:{token:wx1:o1}`), its lease
 * `<prefix>lease:{<key>}`. A cluster hashes only the part in braces, the hash
 * tag: a record and its lease, the only keys a script touches together, share
 * a slot, while records spread over the masters. The store never scans keys.
 *
 * Redis replicates asynchronously: a write the master acknowledged but had
 * not yet sent to a replica is lost if that master fails and the replica
 * takes over. The store does not `WAIT` for replicas: a `WAIT` that times out
 * cannot undo the write, so it would turn a replica's outage into failed logins
 * while still not making a failover lossless. Bound the loss on the server with
 * `min-replicas-to-write` and `min-replicas-max-lag`.
 *
 * @publicApi
 */
export class WxRedisStore implements WxOAuthStore {
  private readonly redis: Redis | Cluster;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly timeout: number;
  /** One wait for the connection, shared by every command issued meanwhile. */
  private ready?: Promise<void>;

  constructor(options: WxRedisStoreOptions) {
    this.prefix = options.prefix ?? 'wx-oauth:';
    this.timeout = options.timeout ?? 1000;
    if (/[{}]/.test(this.prefix))
      throw new TypeError(
        "WxRedisStore's prefix may not hold { or }: the store puts each record in a hash tag of its own",
      );
    const given = (['url', 'cluster', 'sentinel', 'client'] as const).filter(
      (key) => options[key] !== undefined,
    );
    if (given.length !== 1)
      throw new TypeError('WxRedisStore needs exactly one of url, cluster, sentinel or client');
    this.ownsClient = !options.client;
    this.redis = options.client ?? this.connect(options);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run('GET', () => this.redis.get(this.keyOf(key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run('SET', () => this.redis.set(this.keyOf(key), value, 'PX', ttl(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.run('DEL', () => this.redis.del(this.keyOf(key)));
  }

  async claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const earlier = await this.run('claim', () =>
      this.redis.eval(CLAIM, 1, this.keyOf(key), value, ttl(ttlMs)),
    );
    return typeof earlier === 'string' ? earlier : undefined;
  }

  async lock(key: string, leaseMs: number): Promise<string | undefined> {
    const id = `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}`;
    const ok = await this.run('lock', () =>
      this.redis.set(this.leaseKey(key), id, 'PX', ttl(leaseMs), 'NX'),
    );
    return ok === 'OK' ? id : undefined;
  }

  async setIfLocked(key: string, value: string, ttlMs: number, lockId: string): Promise<boolean> {
    const keys = [this.leaseKey(key), this.keyOf(key)];
    const written = await this.run('fenced SET', () =>
      this.redis.eval(SET_IF_LOCKED, 2, ...keys, lockId, value, ttl(ttlMs)),
    );
    return written === 1;
  }

  async unlock(key: string, lockId: string): Promise<void> {
    await this.run('unlock', () => this.redis.eval(UNLOCK, 1, this.leaseKey(key), lockId));
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    await this.redis.quit().catch(() => undefined);
    // QUIT leaves Sentinel's failover detector (its subscriptions to the sentinels) open.
    this.redis.disconnect();
  }

  /** A record's key, `token:wx1:o1` as `wx-oauth:{token:wx1:o1}`: the braces pick its cluster slot. */
  private keyOf(key: string): string {
    return `${this.prefix}{${key}}`;
  }

  /** The lease on a record, in the record's slot. */
  private leaseKey(key: string): string {
    return `${this.prefix}lease:{${key}}`;
  }

  /**
   * The store's own client, made to fail fast: no offline queue and no
   * resending after a reconnect (a write could run long after its caller gave
   * up), one retry, a reconnect (to the new master) when a demoted master
   * refuses a write.
   */
  private connect({ url, cluster, sentinel, redisOptions }: WxRedisStoreOptions): Redis | Cluster {
    const failFast = {
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
      connectTimeout: this.timeout,
      reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
    };
    const retry = (attempt: number) => Math.min(attempt * 100, 1000);
    let client: Redis | Cluster;
    if (cluster) {
      client = new Cluster(cluster, {
        enableOfflineQueue: false,
        clusterRetryStrategy: retry,
        slotsRefreshTimeout: this.timeout,
        redisOptions: { ...failFast, ...redisOptions },
      });
      client.on('node error', () => undefined);
    } else {
      const options: RedisOptions = {
        enableOfflineQueue: false,
        retryStrategy: retry,
        ...failFast,
        // Sentinel tells the client at once when the master changes, rather than on its next error.
        ...(sentinel && { ...sentinel, failoverDetector: true }),
        ...redisOptions,
      };
      client = url ? new Redis(url, options) : new Redis(options);
    }
    // Failures reach callers through their commands; this keeps ioredis from reporting them again.
    client.on('error', () => undefined);
    return client;
  }

  /**
   * Waits for the connection (at start, or while reconnecting) rather than
   * queueing: a queued write could run long after its caller gave up.
   */
  private whenReady(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    if (this.redis.status === 'end' || this.redis.status === 'close')
      return Promise.reject(new Error('connection closed'));
    this.ready ??= new Promise((resolve) =>
      this.redis.once('ready', () => {
        this.ready = undefined;
        resolve();
      }),
    );
    return this.ready;
  }

  /** Runs one command within the timeout, turning any failure into a 'store_unavailable' error. */
  private async run<T>(command: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.timeout} ms`)),
        this.timeout,
      );
    });
    try {
      return await Promise.race([this.whenReady().then(op), timeout]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new WxOAuthError('store_unavailable', `Store: Redis ${command} failed (${reason})`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Redis takes whole milliseconds, at least one. */
function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
