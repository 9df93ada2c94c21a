import { createHmac, randomBytes } from 'node:crypto';

/**
 * The seed of the command's secrets when none is given: documented, so that a sandbox
 * started anywhere without flags gives the same secrets (they are good for the sandbox only).
 */
export const DEFAULT_SANDBOX_SEED = 'nest-wx-oauth-sandbox';

/** The seed that asks for new random secrets at every start instead. */
export const RANDOM_SEED = 'random';

/** The secrets the command makes up for an app that was given none. */
export interface SeededSecrets {
  /** The app's secret: HMAC-SHA256 of the appid keyed with the seed, its first 32 hex digits. */
  secret(appid: string): string;
  /** The official account's message push Token: the same over `<appid>:token`. */
  pushToken(appid: string): string;
  /** Its EncodingAESKey: the same over `<appid>:encodingAesKey`, its first 43 hex digits. */
  aesKey(appid: string): string;
}

/**
 * The secrets a seed gives: the same for the same seed and appid at every start, so an
 * app's `.env` outlives a restart of the sandbox. `random` draws a seed per start.
 */
export function seededSecrets(seed: string): SeededSecrets {
  const key = seed === RANDOM_SEED ? randomBytes(32) : seed;
  const digest = (message: string): string =>
    createHmac('sha256', key).update(message).digest('hex');
  return {
    secret: (appid) => digest(appid).slice(0, 32),
    pushToken: (appid) => digest(`${appid}:token`).slice(0, 32),
    aesKey: (appid) => digest(`${appid}:encodingAesKey`).slice(0, 43),
  };
}
