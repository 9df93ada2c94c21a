import { randomBytes } from 'node:crypto';

/** Where the merchants' pages are: no page of the site's is below it. */
export const MERCHANTS_PREFIX = '/m/';
/** A merchant's id: 16 hex digits. */
const MERCHANT_ID = /^[0-9a-f]{16}$/;
/** A merchant's pages, `/m/<id>/…`: its customers log in there, on the merchant's behalf. */
const MERCHANT_PATH = /^\/m\/([0-9a-f]{16})(?=[/?#]|$)/;

/** A new merchant's id: random, so that one merchant's address says nothing of the others'. */
export function newMerchantId(): string {
  return randomBytes(8).toString('hex');
}

/** Whether `id` can be a merchant's, before any database is asked. */
export function isMerchantId(id: string): boolean {
  return MERCHANT_ID.test(id);
}

/** The merchant whose pages `path` is on; undefined for the site's own pages. */
export function merchantOfPath(path: string): string | undefined {
  return MERCHANT_PATH.exec(path)?.[1];
}

/** A page of merchant `id`: its home with no `rest`. */
export function merchantPath(id: string, rest = ''): string {
  return `/m/${id}${rest}`;
}
