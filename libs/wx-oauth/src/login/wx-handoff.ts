import { createHash, randomBytes } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { wxHttpException } from '../errors/wx-http-exception.js';
import type { WxOAuthStore } from '../store/wx-oauth-store.interface.js';
import { WX_OAUTH_STORE } from '../wx-oauth.constants.js';

/** How long a handoff code may wait for its exchange. */
export const HANDOFF_TTL_MS = 60_000;
/** 32 random bytes, base64url. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

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
  constructor(@Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore) {}

  /** Mints the code handing `user` (`req.user`, kept as JSON) to the front end on `origin`. */
  async issue(user: unknown, origin: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const handoff: Handoff = { origin, user };
    await this.store.set(keyOf(code), JSON.stringify(handoff), HANDOFF_TTL_MS);
    return code;
  }

  /**
   * The user a code hands over, given the exchange request's `Origin` header;
   * the code is used up. Throws a 401 `HttpException` (kind
   * `invalid_handoff`) for a missing, unknown, expired or used code, or one
   * issued to another origin, and 503 when the store fails.
   */
  async redeem<TUser = unknown>(code: unknown, origin: string | undefined): Promise<TUser> {
    try {
      if (typeof code !== 'string' || !CODE_PATTERN.test(code)) throw refused('is missing');
      const key = keyOf(code);
      // The claim makes the code single-use across instances; a code tried from the wrong origin is spent too.
      if (await this.store.claim(`${key}:used`, '1', HANDOFF_TTL_MS)) throw refused('was used');
      const value = await this.store.get(key);
      if (!value) throw refused('is unknown or expired');
      await this.store.delete(key);
      const handoff = JSON.parse(value) as Handoff;
      if (handoff.origin !== origin) throw refused('was issued to another origin');
      return handoff.user as TUser;
    } catch (error) {
      throw error instanceof HttpException ? error : (wxHttpException(error) ?? error);
    }
  }
}

function keyOf(code: string): string {
  // The store sees a digest, never a code that could still be redeemed.
  return `handoff:${createHash('sha256').update(code).digest('base64url')}`;
}

function refused(reason: string): HttpException {
  return wxHttpException(
    new WxOAuthError('invalid_handoff', `The login handoff code ${reason}; please log in again`),
  )!;
}
