import { type CanActivate, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEMO_OPTIONS, type DemoOptions } from '../demo.constants.js';

/** The SaaS's pages exist only when the demo runs as one (WX_COMPONENT_*, or DEMO_SAAS with the in-process sandbox). */
@Injectable()
export class SaasGuard implements CanActivate {
  constructor(@Inject(DEMO_OPTIONS) private readonly options: DemoOptions) {}

  canActivate(): boolean {
    if (!this.options.saas)
      throw new NotFoundException(
        'The demo runs as a SaaS with WX_COMPONENT_* set, or DEMO_SAAS=true with its own sandbox',
      );
    return true;
  }
}
