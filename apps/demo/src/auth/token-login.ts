import { UnauthorizedException } from '@nestjs/common';
import type { DemoLogin, DemoUser } from './demo-user.js';
import type { DemoUsers } from './demo-users.service.js';
import type { SessionService } from './session.service.js';

/** What a login of a client without cookies answers: the mini-program's, the native app's. */
export interface TokenLogin {
  /** The site's own token, which the client sends as `Authorization: Bearer <token>`. */
  token: string;
  /** The person, with every identity. */
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
  users: DemoUsers,
  login: DemoLogin,
  client: string,
): Promise<TokenLogin> {
  const linked = login.unionid !== undefined;
  return {
    token: await sessions.issueBearer(login),
    user: await bearerUser(users, login),
    linked,
    ...(linked
      ? {}
      : {
          note: `WeChat sent no unionid: the ${client} is not bound to the Open Platform account of the web apps, so this is a separate user`,
        }),
  };
}

/** The bearer token's user as now known; 401 once the user is gone (the database started afresh). */
export async function bearerUser(users: DemoUsers, login: DemoLogin): Promise<DemoUser> {
  const user = await users.current(login);
  if (!user) throw new UnauthorizedException('This user is no longer known: log in again');
  return user;
}
