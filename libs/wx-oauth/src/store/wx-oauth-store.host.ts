import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { WX_OAUTH_STORE } from '../wx-oauth.constants.js';
import type { WxOAuthStore } from './wx-oauth-store.interface.js';

/** Closes the module's store, the default or the app's own, when the app shuts down. */
@Injectable()
export class WxOAuthStoreHost implements OnApplicationShutdown {
  constructor(@Inject(WX_OAUTH_STORE) private readonly store: WxOAuthStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}
