import { createHash } from 'node:crypto';

/**
 * WeChat's push signature: SHA-1 hex of the parts sorted and joined. `[token, timestamp,
 * nonce]` is `signature`; safe mode's `msg_signature` adds the `Encrypt` text.
 */
export function pushSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}
