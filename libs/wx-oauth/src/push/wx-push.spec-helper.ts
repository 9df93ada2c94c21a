import { randomBytes } from 'node:crypto';
import type { WxClock } from '../utils/clock.js';
import { WxPushCipher } from './wx-push-cipher.js';
import { buildPushXml } from './wx-push-message.js';
import { pushSignature } from './wx-push-signature.js';

/** A push as WeChat POSTs it in plain mode: its XML body, and its query signed with the account's Token. */
export interface SignedPush {
  query: { signature: string; timestamp: string; nonce: string };
  body: string;
}

/**
 * WeChat's POST of `fields`, signed with `token` at the clock's time (or
 * `at`, in ms), with a fresh nonce unless one is given: as an Express request
 * whose text body parser left the XML.
 */
export function signedPush(
  token: string,
  fields: Record<string, string | number>,
  clock: WxClock,
  {
    nonce = randomBytes(6).toString('hex'),
    at = clock.now(),
  }: { nonce?: string; at?: number } = {},
): SignedPush {
  const timestamp = String(Math.floor(at / 1000));
  return {
    query: { signature: pushSignature([token, timestamp, nonce]), timestamp, nonce },
    body: buildPushXml(fields),
  };
}

/** A push as WeChat POSTs it in safe mode: `fields` encrypted for `appid`, both signatures in the query. */
export interface EncryptedPush {
  query: SignedPush['query'] & { encrypt_type: 'aes'; msg_signature: string };
  body: string;
}

/**
 * WeChat's safe-mode POST of `fields` to `appid`'s receiver (an official
 * account's, or a third-party platform's, whose outer XML names it in `AppId`),
 * encrypted with `encodingAesKey` and signed with `token` as `signedPush` signs.
 */
export function encryptedPush(
  token: string,
  encodingAesKey: string,
  appid: string,
  fields: Record<string, string | number>,
  clock: WxClock,
  options: { nonce?: string; at?: number } = {},
): EncryptedPush {
  const sealed = new WxPushCipher(encodingAesKey, appid).encrypt(buildPushXml(fields));
  const { query } = signedPush(token, {}, clock, options);
  return {
    query: {
      ...query,
      encrypt_type: 'aes',
      msg_signature: pushSignature([token, query.timestamp, query.nonce, sealed]),
    },
    body: buildPushXml({ AppId: appid, Encrypt: sealed }),
  };
}
