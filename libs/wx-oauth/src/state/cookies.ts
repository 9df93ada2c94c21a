import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads one cookie from the request header; no cookie-parser needed. */
export function readCookie(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieAttributes {
  maxAgeSeconds: number;
  secure: boolean;
}

/** Adds a Set-Cookie header, keeping any the app already set. */
export function appendCookie(res: ServerResponse, name: string, value: string, attrs: CookieAttributes): void {
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
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
