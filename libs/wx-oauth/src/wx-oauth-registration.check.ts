import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WxOAuthStrategy } from './logins/oauth/wx-oauth.strategy.js';

/**
 * At start-up: the module is registered once per app. Two registrations
 * (`forRoot` in `AppModule` and again in a feature module) would build two
 * sets of strategies, and Passport would run whichever came last.
 */
@Injectable()
export class WxOAuthRegistrationCheck implements OnModuleInit {
  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const registrations = this.discovery
      .getProviders()
      .filter(({ metatype }) => metatype === WxOAuthStrategy).length;
    if (registrations > 1)
      throw new Error(
        `WxOAuthModule is registered ${registrations} times: call forRoot(...) or forRootAsync(...) once, in the ` +
          "app's root module (AppModule); it serves every module. Remove the other registrations, or import nothing in feature modules.",
      );
  }
}
