// The many-tenants peer's tenants, derived from their index on both sides: the runner
// registers their apps with the sandbox, the server's resolver holds the same ones,
// so no thousand secrets cross the environment.
import { createHash } from 'node:crypto';

/** How many tenants the peer serves: enough that a login's tenant is one among many, all cached. */
export const TENANTS = 1000;

/** Tenant `i` (0 … TENANTS-1): its id, and its official account, with a secret shaped as WeChat's (32 hex) from a fixed seed. */
export function tenantOfIndex(i) {
  return {
    id: `tenant${i}`,
    appid: `wx0bench0tenant${i}`,
    secret: createHash('sha256')
      .update(`nest-wx-oauth bench tenant ${i}`)
      .digest('hex')
      .slice(0, 32),
  };
}
