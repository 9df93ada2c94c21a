import { DEFAULT_OPEN_PLATFORM, type WxSandboxAppInfo } from './sandbox-apps.js';
import { buildSandboxUsers } from './sandbox-users.js';
import type { WxSandboxUser, WxSandboxUserSeed } from '../wx-sandbox.types.js';

/**
 * The apps and each app's view of the same people: an openid per app, a unionid per
 * Open Platform account. A seed's own `openid` is its openid in the first app, its
 * own `unionid` the one on the first app's Open Platform account (or the default one).
 */
export class SandboxAppUsers {
  private readonly apps = new Map<string, WxSandboxAppInfo>();
  private readonly users = new Map<string, readonly WxSandboxUser[]>();

  constructor(
    apps: readonly WxSandboxAppInfo[],
    seeds: readonly WxSandboxUserSeed[],
    publicUrl: string,
  ) {
    const firstPlatform = platformOf(apps[0]);
    apps.forEach((app, index) => {
      const sharesUnionid = platformOf(app) === firstPlatform;
      const ownSeeds =
        index === 0
          ? seeds
          : seeds.map(({ openid: _openid, unionid, ...seed }) =>
              sharesUnionid ? { ...seed, unionid } : seed,
            );
      const users = buildSandboxUsers(app.appid, ownSeeds, publicUrl, platformOf(app));
      this.apps.set(app.appid, app);
      this.users.set(app.appid, Object.freeze(users.map((user) => Object.freeze(user))));
    });
  }

  app(appid: string): WxSandboxAppInfo | undefined {
    return this.apps.get(appid);
  }

  /** The people as `appid` sees them, in seed order; empty for an unknown app. */
  usersOf(appid: string): readonly WxSandboxUser[] {
    return this.users.get(appid) ?? [];
  }

  user(appid: string, key: string): WxSandboxUser | undefined {
    return this.usersOf(appid).find((user) => user.key === key);
  }
}

/** An unbound app still derives a unionid for `WxSandboxUser`; WeChat never sends it. */
function platformOf(app: WxSandboxAppInfo): string {
  return app.openPlatform ?? DEFAULT_OPEN_PLATFORM;
}
