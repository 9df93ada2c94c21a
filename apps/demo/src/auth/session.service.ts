import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request, Response } from 'express';
import { WX_OAUTH_STORE, type WxOAuthStore } from 'nest-wx-oauth';
import { DEMO_OPTIONS, SESSION_COOKIE, type DemoOptions } from '../demo.constants.js';
import type { DemoLogin } from './demo-user.js';

const SESSION_DAYS = 7;
/** Each token says what it is for, so that a cookie's token is no bearer token, nor a form's, and the reverse. */
const AUDIENCE = { cookie: 'demo-web', bearer: 'demo-bearer', form: 'demo-form' } as const;

interface SessionClaims {
  user: DemoLogin;
  /** The session's id, which logout revokes. */
  jti?: string;
  /** Its expiry, in seconds since the epoch. */
  exp?: number;
}

/**
 * The demo's own session: a signed JWT in an HttpOnly cookie for the web, the same as a
 * bearer token for the mini-program and the native app, which keep no cookies. Logout revokes its id in the
 * module's store (`WX_OAUTH_STORE`: Redis when `REDIS_URL` is set), until the token would
 * have expired, so that a copy of the cookie is refused afterwards on every instance.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    private readonly jwt: JwtService,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
    @Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore,
  ) {}

  async start(res: Response, user: DemoLogin): Promise<void> {
    const token = await this.sign(user, 'cookie');
    res.cookie(SESSION_COOKIE, token, {
      ...this.cookieOptions(),
      maxAge: SESSION_DAYS * 24 * 3600 * 1000,
    });
  }

  /** A session for the mini-program or the native app, which send it back as `Authorization: Bearer <token>`. */
  issueBearer(user: DemoLogin): Promise<string> {
    return this.sign(user, 'bearer');
  }

  /** The session's user; undefined when there is none, it expired, or it was logged out. */
  async read(req: Request): Promise<DemoLogin | undefined> {
    return this.userOf(await this.claims(req));
  }

  /** The bearer token's user, as `read` answers the cookie's. */
  async readBearer(req: Request): Promise<DemoLogin | undefined> {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    return scheme === 'Bearer' && token
      ? this.userOf(await this.verify(token, 'bearer'))
      : undefined;
  }

  /** Ends the session: clears this browser's cookie and revokes it everywhere; answers its user. */
  async end(req: Request, res: Response): Promise<DemoLogin | undefined> {
    res.clearCookie(SESSION_COOKIE, this.cookieOptions());
    const claims = await this.claims(req);
    if (!claims?.jti || !claims.exp) return claims?.user;
    const ttlMs = claims.exp * 1000 - Date.now();
    await this.store.set(revokedKey(claims.jti), '1', ttlMs).catch((error: Error) => {
      // This browser is logged out all the same; a copy of its cookie stays valid until it expires.
      this.logger.warn(`Could not revoke the session: ${error.message}`);
    });
    return claims.user;
  }

  /**
   * The token of the session's forms (a hidden field): signed for this session's id, which
   * another site's page cannot read, so it cannot post the form in the user's name.
   */
  async formToken(req: Request): Promise<string | undefined> {
    const claims = await this.claims(req);
    return claims?.jti
      ? this.jwt.signAsync(
          {},
          { subject: claims.jti, audience: AUDIENCE.form, expiresIn: `${SESSION_DAYS}d` },
        )
      : undefined;
  }

  /** Whether `token` is `formToken`'s for this request's session. */
  async checkFormToken(req: Request, token: unknown): Promise<boolean> {
    const claims = await this.claims(req);
    if (!claims?.jti || typeof token !== 'string' || !token) return false;
    return this.jwt.verifyAsync(token, { audience: AUDIENCE.form, subject: claims.jti }).then(
      () => true,
      () => false,
    );
  }

  private sign(user: DemoLogin, use: 'cookie' | 'bearer'): Promise<string> {
    return this.jwt.signAsync(
      { user },
      {
        subject: user.id,
        jwtid: randomUUID(),
        audience: AUDIENCE[use],
        expiresIn: `${SESSION_DAYS}d`,
      },
    );
  }

  private async userOf(claims: SessionClaims | undefined): Promise<DemoLogin | undefined> {
    if (!claims?.jti) return claims?.user;
    // A store that is down fails the request (503) rather than let a revoked session in.
    return (await this.store.get(revokedKey(claims.jti))) ? undefined : claims.user;
  }

  private claims(req: Request): Promise<SessionClaims | undefined> {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    return token ? this.verify(token, 'cookie') : Promise.resolve(undefined);
  }

  private async verify(
    token: string,
    use: 'cookie' | 'bearer',
  ): Promise<SessionClaims | undefined> {
    try {
      return await this.jwt.verifyAsync<SessionClaims>(token, { audience: AUDIENCE[use] });
    } catch {
      return undefined; // expired, signed with another secret or for another use: simply logged out
    }
  }

  private cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.options.secureCookies,
      path: '/',
    };
  }
}

function revokedKey(jti: string): string {
  return `demo:session-revoked:${jti}`;
}
