import type { IncomingHttpHeaders } from 'node:http';

/**
 * The host a request names (`host:port`, lower case), for the sandbox's own pages, which
 * answer only as the hosts the sandbox is reached at: a page of another site that a DNS
 * rebinding pointed at the sandbox names its own host.
 */
export function requestHost(headers: IncomingHttpHeaders): string {
  return (headers.host ?? '').toLowerCase();
}

/**
 * Whether a request comes from a page of the sandbox's own origin: the browser's
 * `Sec-Fetch-Site` (when sent) says so, and its `Origin` (else its `Referer`'s) is the host
 * it asked. A form on another site cannot pass, which is what keeps a page that changes
 * settings from being posted to from elsewhere.
 */
export function isSameOrigin(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const host = requestHost(headers);
  const origin = (headers.origin ?? originOf(headers.referer))?.toLowerCase();
  if (!host || !origin) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

function originOf(referer: string | undefined): string | undefined {
  return referer !== undefined && URL.canParse(referer) ? new URL(referer).origin : undefined;
}

/**
 * The hosts the sandbox is reached at: its `url` and `publicUrl`, and loopback by name or
 * address on its port (a browser on the same machine may use any of them).
 */
export function sandboxHosts(url: string, publicUrl: string): ReadonlySet<string> {
  const { port } = new URL(url);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].map((name) =>
    port ? `${name}:${port}` : name,
  );
  return new Set([new URL(url).host, new URL(publicUrl).host, ...loopback]);
}
