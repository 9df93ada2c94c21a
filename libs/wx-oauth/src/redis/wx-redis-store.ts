import { Redis } from 'ioredis';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';

export interface WxRedisStoreOptions {
  /** A connection URL such as `redis://localhost:6379`; the store then owns, and closes, its client. */
  url?: string;
  /** Or a client of the app's, which the store never closes. Give it `enableOfflineQueue: false` to fail fast. */
  client?: Redis;
  /** Prefix of every key. @default 'wx-oauth:' */
  prefix?: string;
  /** Milliseconds any Redis command may take before it fails with 'store_unavailable'. @default 1000 */
  timeout?: number;
}

// Compare-and-act scripts, atomic in Redis.
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
 * The module's records in Redis, shared by every instance of the app. A Redis
 * that is down or slow fails each call within `timeout` with a
 * 'store_unavailable' error; the client reconnects by itself.
 *
 * @publicApi
 */
export class WxRedisStore implements WxOAuthStore {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly timeout: number;
  /** One wait for the connection, shared by every command issued meanwhile. */
  private ready?: Promise<void>;

  constructor(options: WxRedisStoreOptions) {
    this.prefix = options.prefix ?? 'wx-oauth:';
    this.timeout = options.timeout ?? 1000;
    if (options.client) {
      this.redis = options.client;
      this.ownsClient = false;
    } else if (options.url) {
      this.redis = new Redis(options.url, {
        // Fail commands at once while disconnected instead of queueing them until Redis returns.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: this.timeout,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      });
      // Failures reach callers through their commands; this keeps ioredis from reporting them again.
      this.redis.on('error', () => undefined);
      this.ownsClient = true;
    } else {
      throw new TypeError('WxRedisStore needs a url or a client');
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run('GET', () => this.redis.get(this.prefix + key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run('SET', () => this.redis.set(this.prefix + key, value, 'PX', ttl(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.run('DEL', () => this.redis.del(this.prefix + key));
  }

  async claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const earlier = await this.run('claim', () =>
      this.redis.eval(CLAIM, 1, this.prefix + key, value, ttl(ttlMs)),
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
    const keys = [this.leaseKey(key), this.prefix + key];
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
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private leaseKey(key: string): string {
    return `${this.prefix}lease:${key}`;
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
