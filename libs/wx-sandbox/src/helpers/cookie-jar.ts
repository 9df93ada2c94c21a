/**
 * A browser's cookies for one site, as far as a login needs: it applies every
 * Set-Cookie, deletions (`Max-Age=0`, a past `Expires`) included, and sends
 * back what is live.
 *
 * @publicApi
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expiresAt: number }>();

  /** Starts with the cookies of a `Cookie` header, e.g. an existing session. */
  constructor(header?: string) {
    for (const pair of header?.split(';') ?? []) this.apply([pair]);
  }

  apply(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      let maxAge: number | undefined;
      let expires: number | undefined;
      for (const attribute of attributes) {
        const at = attribute.indexOf('=');
        const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
        const value = at < 0 ? '' : attribute.slice(at + 1).trim();
        if (key === 'max-age') maxAge = Number(value);
        if (key === 'expires') expires = Date.parse(value);
      }
      // Max-Age wins over Expires, as in browsers.
      const expiresAt = maxAge !== undefined ? Date.now() + maxAge * 1000 : (expires ?? Infinity);
      if (expiresAt <= Date.now()) this.cookies.delete(name);
      else this.cookies.set(name, { value: pair.slice(eq + 1).trim(), expiresAt });
    }
  }

  /** The Cookie header this browser sends now. */
  header(): string {
    const now = Date.now();
    return [...this.cookies]
      .filter(([, cookie]) => cookie.expiresAt > now)
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  names(prefix = ''): string[] {
    return [...this.cookies.keys()].filter((name) => name.startsWith(prefix));
  }
}
