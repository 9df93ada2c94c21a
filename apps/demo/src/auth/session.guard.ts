import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { LoginRequiredException } from './login-required.exception.js';
import { SessionService } from './session.service.js';

/** Lets a request through with a session, putting the user on `req.user`; otherwise sends it to log in. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const user = await this.sessions.read(req);
    if (!user) throw new LoginRequiredException(req.originalUrl);
    req.user = user;
    return true;
  }
}
