import { merchantOfPath, merchantPath } from '../merchants/merchant-path.js';

/**
 * The demo's login page, which comes back to `returnTo`: the site's, which picks the app for
 * the browser, or for a merchant's page (the SaaS) that merchant's home, whose login is its own.
 */
export function loginPathFor(returnTo?: string): string {
  const merchant = returnTo === undefined ? undefined : merchantOfPath(returnTo);
  const page = merchant ? merchantPath(merchant) : '/login';
  return returnTo ? `${page}?returnTo=${encodeURIComponent(returnTo)}` : page;
}
