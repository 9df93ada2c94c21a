import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-strategy';
import { asHttpError } from '../../errors/wx-http-exception.js';
import type { WxMiniProgramProfile } from '../../profile/wx-profile.js';
import { WxValidation } from '../../profile/wx-validation.js';
import { WX_STRATEGIES } from '../../wx-oauth.constants.js';
import { readMiniProgramLoginBody } from './mini-program-login-body.js';
import { WxMiniProgramLogin } from './wx-mini-program-login.js';

type PassportRequest = Parameters<Strategy['authenticate']>[0];

/**
 * The Passport strategy `'wechat-mini-program'`: a mini-program's posted
 * `{ code, phoneCode? }` (`WxMiniProgramLogin`), its profile to the app's
 * `WxValidator`. A JSON API for a client without cookies: no state, no
 * redirect.
 */
@Injectable()
export class WxMiniProgramStrategy extends PassportStrategy(Strategy, WX_STRATEGIES.miniProgram) {
  declare error: (err: unknown) => void;
  declare success: (user: unknown) => void;

  constructor(
    private readonly miniProgram: WxMiniProgramLogin,
    private readonly validation: WxValidation,
  ) {
    super();
  }

  override authenticate(req: PassportRequest): void {
    this.login(req).then(
      (user) => this.success(user),
      (error: unknown) => this.error(asHttpError(error)),
    );
  }

  private async login(req: PassportRequest): Promise<unknown> {
    const body = readMiniProgramLoginBody(req.method, (req as { body?: unknown }).body);
    const { profile, keep } = await this.miniProgram.logIn(body, req);
    const user = await this.validate(profile);
    await keep();
    return user;
  }

  /** The mini-program user's profile to the app's user, as every login kind's. */
  validate(profile: WxMiniProgramProfile): Promise<unknown> {
    return this.validation.userOf(profile);
  }
}
