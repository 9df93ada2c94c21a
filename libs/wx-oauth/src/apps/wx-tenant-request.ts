import { hostOf, type LoginRequest } from '../http/login-request.js';
import type { WxTenantRequest } from '../options/wx-tenant.interface.js';

/** What the resolver sees of a request, on both adapters. */
export function tenantRequestOf(req: LoginRequest): WxTenantRequest {
  const url = req.originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  const host = hostOf(req) ?? '';
  return {
    hostname: hostnameOf(host),
    host,
    path: query === -1 ? url : url.slice(0, query),
    headers: req.headers,
  };
}

/** An IPv6 literal in its brackets, else everything before the port. */
const HOSTNAME = /^(?:\[[^\]]*\]|[^:]*)/;

/**
 * `acme.shop.localhost:3010` → `acme.shop.localhost`, `[::1]:3010` → `[::1]`,
 * as Express's and Fastify's `hostname`. Read from the text, not parsed as a
 * URL, which would rewrite (or refuse) what a client sent.
 */
export function hostnameOf(host: string): string {
  return HOSTNAME.exec(host)![0];
}
