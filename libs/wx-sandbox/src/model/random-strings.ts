import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of 62 below 256: bytes above it are dropped to keep the draw uniform. */
const ALNUM_LIMIT = 248;

/** A random `[A-Za-z0-9]` string, the alphabet of WeChat's authorization codes. */
export function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < ALNUM_LIMIT) out += ALNUM[byte % ALNUM.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** An opaque token as long as WeChat's (86 chars of `[A-Za-z0-9_-]`). */
export function randomToken(): string {
  return randomBytes(64).toString('base64url');
}

/** WeChat's request id: the time in hex seconds, then two random 32-bit words. */
export function randomRid(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  const words = randomBytes(8).toString('hex');
  return `${seconds}-${words.slice(0, 8)}-${words.slice(8)}`;
}

/** An opaque QR ticket as long as WeChat's (96 chars of standard base64, `+`, `/` and `=` included). */
export function randomTicket(): string {
  return randomBytes(70).toString('base64');
}

/** A string of decimal digits, the shape of WeChat's push `nonce` and `echostr`. */
export function randomDigits(length: number): string {
  let out = '';
  for (const byte of randomBytes(length)) out += String(byte % 10);
  return out;
}
