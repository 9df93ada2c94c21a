const PROBE_ORIGIN = 'http://return-to.invalid';

/**
 * Whether `value` is a same-origin relative path, safe to redirect to after
 * login. Refuses what browsers read as another host (`//evil`, `/\evil`),
 * absolute and `javascript:` URLs, and control characters (header injection,
 * and browsers strip tabs and newlines before parsing).
 */
export function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return false;
  if (!value.startsWith('/') || value.startsWith('//')) return false;
  if (value.includes('\\') || /[\u0000-\u001f\u007f]/.test(value)) return false;
  try {
    return new URL(value, PROBE_ORIGIN).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}
