import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionService } from './session.service.js';

/** The mini-program's and the native app's requests: the bearer token of their login on `req.user`, else 401. */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const user = await this.sessions.readBearer(req);
    if (!user) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException(
        'Send the token of POST /auth/wechat/miniprogram or /auth/wechat/app as Authorization: Bearer <token>',
      );
    }
    req.user = user;
    return true;
  }
}
