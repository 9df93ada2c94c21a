import { Inject, Injectable } from '@nestjs/common';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import { WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import { SingleUseCodes } from './single-use-codes.js';

/** How long a handoff code may wait for its exchange. */
export const HANDOFF_TTL_MS = 60_000;

interface Handoff {
  origin: string;
  user: unknown;
}

/**
 * Hands a finished login to a front end on another origin (an SPA) without a
 * token in any URL: `WxAuthGuard` redirects to the front end with
 * `?wx_handoff=<code>`, a random code usable once, within a minute, from that
 * origin only, on any instance sharing the store; the front end POSTs it to a
 * route of the app, whose handler `redeem`s it for the user and answers the
 * app's own token or session.
 *
 * @publicApi
 */
@Injectable()
export class WxHandoff {
  private readonly codes: SingleUseCodes;

  constructor(@Inject(WX_OAUTH_STORE) store: WxOAuthStore) {
    this.codes = new SingleUseCodes(store, 'handoff');
  }

  /** Mints the code handing `user` (`req.user`, kept as JSON) to the front end on `origin`. */
  async issue(user: unknown, origin: string): Promise<string> {
    const code = this.codes.mint();
    const handoff: Handoff = { origin, user };
    await this.codes.keep(code, JSON.stringify(handoff), HANDOFF_TTL_MS);
    return code;
  }

  /**
   * The user a code hands over, given the exchange request's `Origin` header;
   * the code is used up, even when tried from the wrong origin. Throws
   * `invalid_request` (400) for a code that is not a string (a body's number
   * or object), `invalid_handoff` (401) for a missing, unknown, expired or
   * used code, or one issued to another origin, and `store_unavailable` (503)
   * when the store fails.
   */
  async redeem<TUser = unknown>(code: unknown, origin: string | undefined): Promise<TUser> {
    if (code === undefined || code === null || code === '') throw refused('is missing');
    // A front end's mistake, not an expired login: say what to send.
    if (typeof code !== 'string')
      throw new WxOAuthError(
        'invalid_request',
        "The login handoff code must be the wx_handoff string from the redirect's URL",
      );
    if (!this.codes.isCode(code)) throw refused('is unknown or expired');
    const { value, used } = await this.codes.redeem(code, HANDOFF_TTL_MS);
    if (used) throw refused('was used');
    if (value === undefined) throw refused('is unknown or expired');
    const handoff = JSON.parse(value) as Handoff;
    if (handoff.origin !== origin) throw refused('was issued to another origin');
    return handoff.user as TUser;
  }
}

function refused(reason: string): WxOAuthError {
  return new WxOAuthError(
    'invalid_handoff',
    `The login handoff code ${reason}; please log in again`,
  );
}
