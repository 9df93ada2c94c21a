const PROBE_ORIGIN = 'http://return-to.invalid';
const MAX_BYTES = 2048;

/**
 * Whether `value` is a same-origin relative path, safe to redirect to after
 * login. Refuses what browsers read as another host (`//evil`, `/\evil`),
 * absolute and `javascript:` URLs, and control characters (header injection,
 * and browsers strip tabs and newlines before parsing). At most 2048 bytes
 * (UTF-8), so that the state cookie carrying it stays within a browser's 4 KB.
 */
export function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > MAX_BYTES)
    return false;
  if (!value.startsWith('/') || value.startsWith('//')) return false;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (value.includes('\\') || /[\u0000-\u001f\u007f]/.test(value)) return false;
  try {
    return new URL(value, PROBE_ORIGIN).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}
