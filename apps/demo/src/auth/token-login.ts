import type { DemoUser } from './demo-user.js';
import type { SessionService } from './session.service.js';

/** What a login of a client without cookies answers: the mini-program's, the native app's. */
export interface TokenLogin {
  /** The site's own token, which the client sends as `Authorization: Bearer <token>`. */
  token: string;
  user: DemoUser;
  /** Whether this login joined the person's web logins (the same unionid). */
  linked: boolean;
  /** Why it could not, when WeChat gave no unionid. */
  note?: string;
}

/**
 * The answer to `client`'s login: the bearer token `GET /api/me` takes, the user,
 * and whether WeChat's unionid made them the same person as on the web.
 */
export async function tokenLogin(
  sessions: SessionService,
  user: DemoUser,
  client: string,
): Promise<TokenLogin> {
  const linked = user.unionid !== undefined;
  return {
    token: await sessions.issueBearer(user),
    user,
    linked,
    ...(linked
      ? {}
      : {
          note: `WeChat sent no unionid: the ${client} is not bound to the Open Platform account of the web apps, so this is a separate user`,
        }),
  };
}
