import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import type { WxAccessToken } from '../client/wx-oauth.types.js';
import type { WxProfile } from './wx-profile.js';
import { WX_VALIDATOR, type WxValidator } from './wx-validator.decorator.js';

/**
 * The last step every login kind shares: the profile through the app's
 * `WxValidator` (found once, at start-up, wherever the app provides it) to
 * `req.user`.
 */
@Injectable()
export class WxValidation implements OnModuleInit {
  private validator?: WxValidator;

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders()
      .filter(({ metatype }) => metatype && Reflect.getMetadata(WX_VALIDATOR, metatype))
      .filter(
        (wrapper, index, all) => all.findIndex((w) => w.metatype === wrapper.metatype) === index,
      );
    if (found.length > 1)
      throw new Error(
        `WxOAuthModule takes one @WxValidator(), not ${found.length}: ${found.map(({ name }) => String(name)).join(', ')}. ` +
          'Keep one, and let it tell the login kinds apart by profile.via.',
      );
    const [wrapper] = found;
    if (
      wrapper &&
      typeof (wrapper.instance as Partial<WxValidator> | undefined)?.validate !== 'function'
    )
      throw new Error(
        `${String(wrapper.name)} is marked @WxValidator() but has no validate(profile, tokens) method, or is not a singleton provider`,
      );
    this.validator = wrapper?.instance as WxValidator | undefined;
  }

  /** The app's user for `profile`; `denied` (401) when the app refuses it. */
  async userOf(profile: WxProfile, tokens?: WxAccessToken): Promise<unknown> {
    const user = this.validator ? await this.validator.validate(profile, tokens) : profile;
    if (!user) throw new WxOAuthError('denied', 'The login was refused');
    return user;
  }
}
