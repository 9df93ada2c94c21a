import type { WxConflictDecision, WxIdentityConflict } from './wx-identity.js';
import type { WxIdentityStore } from './wx-identity-store.interface.js';

/**
 * Options of `WxIdentitiesModule.forRoot` / `forRootAsync`.
 *
 * @publicApi
 */
export interface WxIdentitiesModuleOptions {
  /** Where the links live. @default a `WxMemoryIdentityStore` (this process's memory) */
  store?: WxIdentityStore;
  /**
   * Decides when a unionid arrives on an identity of one user and already belongs to another:
   * `'keepBoth'` or `'moveToOwner'`, in the login's transaction (`tx`, the store's). Without it both
   * users are kept and the conflict is logged as a warning; nothing is ever merged silently.
   */
  onConflict?: (
    conflict: WxIdentityConflict,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the store's transaction type, as WxCreateUser's
    tx: any,
  ) => WxConflictDecision | Promise<WxConflictDecision>;
}
