/**
 * A user's tokens as stored, with absolute expiry times (ms since the epoch).
 *
 * @publicApi
 */
export interface WxStoredToken {
  openid: string;
  unionid?: string;
  scope: string;
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
  /** WeChat's refresh token lives 30 days from the login and is never extended. */
  refreshTokenExpiresAt: number;
}

/**
 * Where the module keeps tokens, keyed by appid and openid so that several apps
 * can share one store. Besides get/set/delete it offers what several instances
 * need to agree: a single-use record (`claim`) and a short refresh lease with a
 * fencing check (`lock` / `setIfLocked` / `unlock`). Every method may reject
 * with a `WxOAuthError` of kind 'store_unavailable'.
 *
 * @publicApi
 */
export interface WxTokenStore {
  get(appid: string, openid: string): Promise<WxStoredToken | undefined>;
  /** Stores the token until its refresh token expires. */
  set(appid: string, openid: string, token: WxStoredToken): Promise<void>;
  delete(appid: string, openid: string): Promise<void>;
  /** Records `value` under `key` for `ttlMs` unless a value is there already; answers that earlier value, if any. */
  claim(key: string, value: string, ttlMs: number): Promise<string | undefined>;
  /** Takes the refresh lease of one user for `leaseMs`; answers its id, or undefined while another holder has it. */
  lock(appid: string, openid: string, leaseMs: number): Promise<string | undefined>;
  /** Writes the token only while `lockId` still holds the lease, so a holder whose lease ran out cannot overwrite a newer token. */
  setIfLocked(appid: string, openid: string, token: WxStoredToken, lockId: string): Promise<boolean>;
  /** Releases the lease if `lockId` still holds it. */
  unlock(appid: string, openid: string, lockId: string): Promise<void>;
  /** Called when the app shuts down. */
  close?(): Promise<void>;
}
