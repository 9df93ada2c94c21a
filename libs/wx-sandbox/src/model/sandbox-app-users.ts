import { DEFAULT_OPEN_PLATFORM, type WxSandboxAppInfo } from './sandbox-apps.js';
import { buildSandboxUsers } from './sandbox-users.js';
import type { WxSandboxUser, WxSandboxUserSeed } from '../wx-sandbox.types.js';

/** The people as one app sees them, in seed order and by key. */
interface AppUsers {
  readonly list: readonly WxSandboxUser[];
  readonly byKey: ReadonlyMap<string, WxSandboxUser>;
}

/**
 * The apps and each app's view of the same people: an openid per app, a unionid per
 * Open Platform account. A seed's own `openid` is its openid in the first app, its
 * own `unionid` the one on the first app's Open Platform account (or the default one).
 * Apps come and go while the sandbox runs; every lookup by appid is a map's.
 */
export class SandboxAppUsers {
  private readonly apps = new Map<string, WxSandboxAppInfo>();
  /** Built on first use: a thousand tenants start as fast as one. */
  private readonly users = new Map<string, AppUsers>();
  private readonly firstAppid: string;
  private readonly firstPlatform: string;
  /** `apps` as a frozen list, until the next change. */
  private listed: readonly WxSandboxAppInfo[] | undefined;

  constructor(
    apps: readonly WxSandboxAppInfo[],
    private readonly seeds: readonly WxSandboxUserSeed[],
    private readonly publicUrl: string,
  ) {
    this.firstAppid = apps[0].appid;
    this.firstPlatform = platformOf(apps[0]);
    for (const app of apps) this.add(app);
    // The first app's view checks the seeds, so bad ones fail at start, not on first use.
    this.usersOf(this.firstAppid);
  }

  app(appid: string): WxSandboxAppInfo | undefined {
    return this.apps.get(appid);
  }

  /** Every app, in the order added. */
  list(): readonly WxSandboxAppInfo[] {
    this.listed ??= Object.freeze([...this.apps.values()]);
    return this.listed;
  }

  /** Registers an app; throws for an appid already taken. */
  add(app: WxSandboxAppInfo): void {
    if (this.apps.has(app.appid)) throw new Error(`WxSandbox: duplicate appid '${app.appid}'`);
    this.apps.set(app.appid, app);
    this.listed = undefined;
  }

  /** Puts a changed app (a new secret) in place of the one with its appid, keeping its people. */
  replace(app: WxSandboxAppInfo): void {
    if (!this.apps.has(app.appid)) throw new Error(`WxSandbox: no app with appid '${app.appid}'`);
    this.apps.set(app.appid, app);
    this.listed = undefined;
  }

  /** Forgets the app and its people; `false` when there was none. */
  remove(appid: string): boolean {
    this.users.delete(appid);
    this.listed = undefined;
    return this.apps.delete(appid);
  }

  /** The people as `appid` sees them, in seed order; empty for an unknown app. */
  usersOf(appid: string): readonly WxSandboxUser[] {
    return this.appUsers(appid)?.list ?? [];
  }

  user(appid: string, key: string): WxSandboxUser | undefined {
    return this.appUsers(appid)?.byKey.get(key);
  }

  private appUsers(appid: string): AppUsers | undefined {
    const built = this.users.get(appid);
    if (built) return built;
    const app = this.apps.get(appid);
    if (!app) return undefined;
    // Only the first app takes a seed's own openid; its unionid, only on the same account.
    const sharesUnionid = platformOf(app) === this.firstPlatform;
    const ownSeeds =
      appid === this.firstAppid
        ? this.seeds
        : this.seeds.map(({ openid: _openid, unionid, ...seed }) =>
            sharesUnionid ? { ...seed, unionid } : seed,
          );
    const list = Object.freeze(
      buildSandboxUsers(appid, ownSeeds, this.publicUrl, platformOf(app)).map((user) =>
        Object.freeze(user),
      ),
    );
    const users: AppUsers = { list, byKey: new Map(list.map((user) => [user.key, user])) };
    this.users.set(appid, users);
    return users;
  }
}

/** An unbound app still derives a unionid for `WxSandboxUser`; WeChat never sends it. */
function platformOf(app: WxSandboxAppInfo): string {
  return app.openPlatform ?? DEFAULT_OPEN_PLATFORM;
}
