import { Redis } from 'ioredis';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxStoredToken, WxTokenStore } from '../tokens/wx-token-store.js';

export interface RedisTokenStoreOptions {
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
 * Tokens, single-use login states and refresh leases in Redis, shared by every
 * instance of the app. A Redis that is down or slow fails each call within
 * `timeout` with a 'store_unavailable' error; the client reconnects by itself.
 *
 * @publicApi
 */
export class RedisTokenStore implements WxTokenStore {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly timeout: number;
  /** One wait for the connection, shared by every command issued meanwhile. */
  private ready?: Promise<void>;

  constructor(options: RedisTokenStoreOptions) {
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
      throw new TypeError('RedisTokenStore needs a url or a client');
    }
  }

  async get(appid: string, openid: string): Promise<WxStoredToken | undefined> {
    const json = await this.run('GET', () => this.redis.get(this.tokenKey(appid, openid)));
    return json ? (JSON.parse(json) as WxStoredToken) : undefined;
  }

  async set(appid: string, openid: string, token: WxStoredToken): Promise<void> {
    const ttl = ttlUntil(token.refreshTokenExpiresAt);
    await this.run('SET', () => this.redis.set(this.tokenKey(appid, openid), JSON.stringify(token), 'PX', ttl));
  }

  async delete(appid: string, openid: string): Promise<void> {
    await this.run('DEL', () => this.redis.del(this.tokenKey(appid, openid)));
  }

  async claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const earlier = await this.run('claim', () => this.redis.eval(CLAIM, 1, `${this.prefix}claim:${key}`, value, ttlMs));
    return typeof earlier === 'string' ? earlier : undefined;
  }

  async lock(appid: string, openid: string, leaseMs: number): Promise<string | undefined> {
    const id = `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}`;
    const ok = await this.run('lock', () => this.redis.set(this.lockKey(appid, openid), id, 'PX', leaseMs, 'NX'));
    return ok === 'OK' ? id : undefined;
  }

  async setIfLocked(appid: string, openid: string, token: WxStoredToken, lockId: string): Promise<boolean> {
    const keys = [this.lockKey(appid, openid), this.tokenKey(appid, openid)];
    const ttl = ttlUntil(token.refreshTokenExpiresAt);
    const written = await this.run('fenced SET', () => this.redis.eval(SET_IF_LOCKED, 2, ...keys, lockId, JSON.stringify(token), ttl));
    return written === 1;
  }

  async unlock(appid: string, openid: string, lockId: string): Promise<void> {
    await this.run('unlock', () => this.redis.eval(UNLOCK, 1, this.lockKey(appid, openid), lockId));
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private tokenKey(appid: string, openid: string): string {
    return `${this.prefix}token:${appid}:${openid}`;
  }

  private lockKey(appid: string, openid: string): string {
    return `${this.prefix}lock:${appid}:${openid}`;
  }

  /**
   * Waits for the connection (at start, or while reconnecting) rather than
   * queueing: a queued write could run long after its caller gave up.
   */
  private whenReady(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    if (this.redis.status === 'end' || this.redis.status === 'close') return Promise.reject(new Error('connection closed'));
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
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeout} ms`)), this.timeout);
    });
    try {
      return await Promise.race([this.whenReady().then(op), timeout]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new WxOAuthError('store_unavailable', `Token store: Redis ${command} failed (${reason})`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function ttlUntil(expiresAt: number): number {
  return Math.max(1, Math.ceil(expiresAt - Date.now()));
}
