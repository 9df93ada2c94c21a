import { WxOAuthError } from '../client/wx-oauth.error.js';

const PROBE_ORIGIN = 'http://return-to.invalid';
const MAX_BYTES = 2048;

/**
 * Whether `value` is safe to redirect to after login: a same-origin relative
 * path, or an absolute URL on one of `frontendOrigins` (the app's own front
 * ends, such as an SPA on another origin), compared exactly. Refuses what
 * browsers read as another host (`//evil`, `/\evil`), other origins,
 * `javascript:` URLs, credentials in a URL, and control characters (header
 * injection, and browsers strip tabs and newlines before parsing). At most
 * 2048 bytes (UTF-8), so that the state cookie carrying it stays within a
 * browser's 4 KB.
 */
export function isSafeReturnTo(
  value: unknown,
  frontendOrigins: readonly string[] = [],
): value is string {
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > MAX_BYTES)
    return false;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (value.includes('\\') || /[\u0000-\u001f\u007f]/.test(value)) return false;
  if (!value.startsWith('/')) return frontendOriginOf(value, frontendOrigins) !== undefined;
  if (value.startsWith('//')) return false;
  try {
    return new URL(value, PROBE_ORIGIN).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * A login's `returnTo`, checked (`isSafeReturnTo`): `invalid_request` (400)
 * naming what is allowed, before the browser leaves for WeChat.
 */
export function assertReturnTo(
  value: unknown,
  frontendOrigins: readonly string[],
): string | undefined {
  if (value === undefined || isSafeReturnTo(value, frontendOrigins)) return value;
  const others = frontendOrigins.length ? `, or a URL on ${frontendOrigins.join(', ')}` : '';
  throw new WxOAuthError(
    'invalid_request',
    `returnTo must be a relative path on this site, like /profile${others}`,
  );
}

/** The front-end origin an absolute URL is on, if it is on one of `frontendOrigins`. */
export function frontendOriginOf(
  value: string,
  frontendOrigins: readonly string[],
): string | undefined {
  if (frontendOrigins.length === 0 || value.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  // The URL as written must start with its origin: no credentials, nothing a browser would read otherwise.
  const written = value.toLowerCase();
  const plain = written === url.origin || written.startsWith(`${url.origin}/`);
  if (!plain || url.username || url.password) return undefined;
  return frontendOrigins.includes(url.origin) ? url.origin : undefined;
}

/** Whether `value` is an origin as `frontendOrigins` takes it: `https://app.example.com`, `http://localhost:5173`. */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}
