/**
 * Where the module keeps what every instance of an app must share: users'
 * tokens, the single-use records of logins, and short leases. Values are
 * strings under keys the module namespaces by appid; every entry expires.
 * Every method may reject with a `WxOAuthError` of kind 'store_unavailable'.
 * `WxMemoryStore` (the default) keeps them in one process, `WxRedisStore`
 * (`nest-wx-oauth/redis`) in Redis for many.
 *
 * @publicApi
 */
export interface WxOAuthStore {
  /** The value under `key`, unless there is none or it expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Records `value` under `key` for `ttlMs` unless a value is there already,
   * atomically; answers that earlier value, if any. A single-use record.
   */
  claim(key: string, value: string, ttlMs: number): Promise<string | undefined>;
  /** Takes the lease on `key` for `leaseMs`; answers its id, or undefined while another holder has it. */
  lock(key: string, leaseMs: number): Promise<string | undefined>;
  /**
   * Sets `key` only while `lockId` still holds its lease, so that a holder
   * whose lease ran out cannot overwrite a newer holder's value.
   */
  setIfLocked(key: string, value: string, ttlMs: number, lockId: string): Promise<boolean>;
  /** Releases the lease on `key` if `lockId` still holds it. */
  unlock(key: string, lockId: string): Promise<void>;
  /** Called once when the app shuts down. */
  close?(): Promise<void>;
}
