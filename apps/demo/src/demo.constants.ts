/** The demo's own options (session), as a provider token. */
export const DEMO_OPTIONS = 'DEMO:OPTIONS';
export const SESSION_COOKIE = 'demo_session';

export interface DemoOptions {
  secureCookies: boolean;
  /** Shown in the header: where WeChat is for this run. */
  banner?: string;
}
