import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { DemoLogin, DemoUser } from '../auth/demo-user.js';
import { DemoUsers } from '../auth/demo-users.service.js';
import { LoginRequiredException } from '../auth/login-required.exception.js';
import { SessionGuard } from '../auth/session.guard.js';
import { SessionService } from '../auth/session.service.js';
import { DEMO_OPTIONS, type DemoOptions } from '../demo.constants.js';
import { profilePage } from './views.js';

export const UNLINK_PATH = '/profile/identities/unlink';

/** The unlink form's fields. */
interface UnlinkForm {
  appid?: unknown;
  openid?: unknown;
  token?: unknown;
}

/**
 * The signed-in person: their details and every WeChat identity (`/profile`),
 * and the form that unlinks one.
 */
@Controller('profile')
@UseGuards(SessionGuard)
export class ProfileController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: DemoUsers,
    @Inject(DEMO_OPTIONS) private readonly options: DemoOptions,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async profile(@Req() req: Request): Promise<string> {
    return this.page(req, await this.userOf(req));
  }

  /**
   * Unlinks one identity, then back to the profile. Refused: a form without this session's
   * token (403: another site posting it), and the identity this session logged in through
   * (409, on the profile page).
   */
  @Post('identities/unlink')
  async unlink(
    @Req() req: Request,
    @Res() res: Response,
    @Body() form: UnlinkForm = {},
  ): Promise<void> {
    if (!(await this.sessions.checkFormToken(req, form.token)))
      throw new ForbiddenException(
        'This form has expired or was sent from another site: open your profile and try again',
      );
    const { appid, openid } = form;
    const login = req.user as DemoLogin;
    const refuse = async (status: HttpStatus, notice: string) =>
      void res
        .status(status)
        .set('Cache-Control', 'no-store')
        .type('html')
        .send(await this.page(req, await this.userOf(req), notice));
    if (typeof appid !== 'string' || typeof openid !== 'string')
      return refuse(HttpStatus.BAD_REQUEST, 'Choose an identity to unlink.');
    if (appid === login.appid && openid === login.openid)
      return refuse(
        HttpStatus.CONFLICT,
        `You are logged in through this identity (${appid}): log in through another of your WeChat apps to unlink it.`,
      );
    if (!(await this.users.unlink(login, appid, openid)))
      return refuse(
        HttpStatus.NOT_FOUND,
        'That identity is not linked to you: it may have been unlinked already.',
      );
    // Post, redirect, get: a reload of the profile does not post the form again.
    res.redirect(HttpStatus.SEE_OTHER, '/profile');
  }

  private async page(req: Request, user: DemoUser, notice?: string): Promise<string> {
    const token = (await this.sessions.formToken(req))!;
    return profilePage(user, this.options.banner, { unlinkPath: UNLINK_PATH, token, notice });
  }

  /** The session's user; a session whose user is gone (the database started afresh) logs in again. */
  private async userOf(req: Request): Promise<DemoUser> {
    const user = await this.users.current(req.user as DemoLogin);
    if (!user) throw new LoginRequiredException('/profile');
    return user;
  }
}
