import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads one cookie from the request header; no cookie-parser needed. */
export function readCookie(
  req: Pick<IncomingMessage, 'headers'>,
  name: string,
): string | undefined {
  return readCookies(req, name).find(([cookieName]) => cookieName === name)?.[1];
}

/** Every cookie of the request whose name starts with `prefix`, as [name, value] pairs in header order. */
export function readCookies(
  req: Pick<IncomingMessage, 'headers'>,
  prefix: string,
): [name: string, value: string][] {
  const header = req.headers.cookie;
  if (!header) return [];
  const found: [string, string][] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name.startsWith(prefix)) found.push([name, part.slice(eq + 1).trim()]);
  }
  return found;
}

export interface CookieAttributes {
  maxAgeSeconds: number;
  secure: boolean;
}

/** Adds a Set-Cookie header, keeping any the app already set. */
export function appendCookie(
  res: ServerResponse,
  name: string,
  value: string,
  attrs: CookieAttributes,
): void {
  const cookie = [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${attrs.maxAgeSeconds}`,
    'HttpOnly',
    // Lax: sent on the top-level GET navigation back from WeChat.
    'SameSite=Lax',
    ...(attrs.secure ? ['Secure'] : []),
  ].join('; ');
  const previous = res.getHeader('Set-Cookie');
  const list =
    previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
