import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { BearerGuard } from './bearer.guard.js';
import type { DemoLogin, DemoUser } from './demo-user.js';
import { DemoUsers } from './demo-users.service.js';
import { bearerUser } from './token-login.js';

/** The API of the clients without cookies (the mini-program, the native app), by bearer token. */
@Controller('api')
export class MeController {
  constructor(private readonly users: DemoUsers) {}

  /** The person as now known: every identity (each app's openid), the phone number when shared. */
  @Get('me')
  @UseGuards(BearerGuard)
  me(@Req() req: Request): Promise<DemoUser> {
    return bearerUser(this.users, req.user as DemoLogin);
  }
}
