import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request, Response } from 'express';
import { DEMO_OPTIONS, SESSION_COOKIE, type DemoOptions } from '../demo.constants.js';
import type { DemoUser } from './demo-user.js';

const SESSION_DAYS = 7;

/** The demo's own session: a signed JWT in an HttpOnly cookie, so no server-side store. */
@Injectable()
export class SessionService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
  ) {}

  async start(res: Response, user: DemoUser): Promise<void> {
    const token = await this.jwt.signAsync(
      { user },
      { subject: user.id, expiresIn: `${SESSION_DAYS}d` },
    );
    res.cookie(SESSION_COOKIE, token, {
      ...this.cookieOptions(),
      maxAge: SESSION_DAYS * 24 * 3600 * 1000,
    });
  }

  async read(req: Request): Promise<DemoUser | undefined> {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!token) return undefined;
    try {
      return (await this.jwt.verifyAsync<{ user: DemoUser }>(token)).user;
    } catch {
      return undefined; // expired, or signed with another secret: simply logged out
    }
  }

  end(res: Response): void {
    res.clearCookie(SESSION_COOKIE, this.cookieOptions());
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
