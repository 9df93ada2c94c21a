import { createHash, timingSafeEqual } from 'node:crypto';

/** WeChat's push signature: the SHA-1 of its parts sorted and joined, in hex. */
export function pushSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Whether `signature` (the caller's) is `parts`' signature, compared in constant time. */
export function isPushSignature(signature: unknown, parts: readonly string[]): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{40}$/i.test(signature)) return false;
  return timingSafeEqual(
    Buffer.from(signature.toLowerCase(), 'latin1'),
    Buffer.from(pushSignature(parts), 'latin1'),
  );
}
