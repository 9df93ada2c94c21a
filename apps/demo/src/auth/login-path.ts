/** The demo's login page: it picks the app for the browser, and comes back to `returnTo`. */
export function loginPathFor(returnTo?: string): string {
  return returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : '/login';
}
