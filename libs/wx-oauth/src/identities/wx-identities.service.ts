import { Inject, Injectable, Logger } from '@nestjs/common';
import { WxOAuthError } from '../client/wx-oauth.error.js';
import { errorClassOf, errorClassText } from '../utils/error-class.js';
import type { WxProfile } from '../profile/wx-profile.js';
import {
  identityKeyOf,
  type WxIdentity,
  type WxIdentityKey,
  type WxResolvedUser,
} from './wx-identity.js';
import type { WxIdentityStore, WxIdentityWriter } from './wx-identity-store.interface.js';
import type { WxIdentitiesModuleOptions } from './wx-identities-options.interface.js';
import { MODULE_OPTIONS_TOKEN } from './wx-identities.module-definition.js';
import { WxMemoryIdentityStore } from './wx-memory-identity-store.js';

/**
 * The app's `createUser`: makes the user of a new person, in the store's transaction `tx` when it
 * can, and answers its id. `tx` is the store's (TypeORM's `EntityManager`; undefined for the memory
 * store): its type is the store's, which injection cannot carry, so a callback may annotate it.
 * `profile` is of the type `resolve` was given (a validator of WeChat's logins alone passes a
 * `WxWeChatProfile`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the store's transaction type
export type WxCreateUser<Tx = any, P extends WxProfile = WxProfile> = (
  profile: P,
  tx: Tx,
) => string | Promise<string>;

/** A transaction that lost a race for a key: rolled back, and run again. */
const LOST_RACE = Symbol('lost race');
/** A race is lost at most twice (the unionid, then the identity); more is a store that does not hold its keys. */
const MAX_ATTEMPTS = 4;

/** What the app's own code threw, carried through the store's error handling as it was. */
class AppCodeError {
  constructor(readonly error: unknown) {}
}

/**
 * WeChat identities linked to the app's users: a login's profile resolved to
 * one user, whichever app it came through, right when many logins of one new
 * person arrive at once.
 *
 * ```ts
 * validate(profile: WxProfile) {
 *   return this.identities.resolve(profile, (p, tx) => this.users.create(p, tx));
 * }
 * ```
 *
 * @publicApi
 */
@Injectable()
export class WxIdentities {
  private readonly logger = new Logger('WxIdentities');
  private readonly store: WxIdentityStore;

  constructor(@Inject(MODULE_OPTIONS_TOKEN) private readonly options: WxIdentitiesModuleOptions) {
    this.store = options.store ?? new WxMemoryIdentityStore();
  }

  /**
   * The app's user of a login: the identity's user when it is known (recording the unionid it
   * brings for the first time), else the user its unionid belongs to, else a new one from
   * `createUser`. Concurrent first logins of one person end as one user; the users of the logins
   * that lost the race are rolled back with their transaction when `createUser` writes through
   * `tx`. A snapshot-page user (virtual ids) is refused: 401 `denied`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as WxCreateUser's
  async resolve<Tx = any, P extends WxProfile = WxProfile>(
    profile: P,
    createUser: WxCreateUser<Tx, P>,
  ): Promise<WxResolvedUser> {
    const key = this.keyOf(profile);
    const known = await this.storeCall(() => this.store.find(key.appid, key.openid));
    if (known && (known.unionid || !key.unionid)) return { userId: known.userId, created: false };
    return this.inTransaction((writer) =>
      this.resolveIn(writer as WxIdentityWriter<Tx>, profile, key, createUser),
    );
  }

  /**
   * Links a login's identity to a user the app already has (a signed-in user connecting WeChat).
   * 409 `identity_taken` when the identity, or its person (the unionid), is another user's.
   */
  async link(profile: WxProfile, userId: string): Promise<WxIdentity> {
    const key = this.keyOf(profile);
    return this.inTransaction(async (writer) => {
      const owner = key.unionid ? await writer.claimUnionid(key.unionid, userId) : userId;
      const holder =
        owner === userId ? await writer.insert({ ...key, userId, linkedAt: new Date() }) : owner;
      if (holder !== userId)
        throw new WxOAuthError(
          'identity_taken',
          "This WeChat account is already another user's: unlink it there first",
        );
      const linked = (await writer.find(key.appid, key.openid))!;
      if (!key.unionid || linked.unionid) return linked;
      await writer.update(key.appid, key.openid, { unionid: key.unionid, userId });
      return { ...linked, unionid: key.unionid };
    });
  }

  /**
   * Unlinks one of a user's identities; false when it is not theirs. The unionid goes with the
   * user's last identity that carries it: while another stays, a login through the unlinked app
   * is the same person's and links again.
   */
  async unlink(userId: string, appid: string, openid: string): Promise<boolean> {
    return this.inTransaction(async (writer) => {
      const identity = await writer.find(appid, openid);
      if (identity?.userId !== userId) return false;
      await writer.remove(appid, openid);
      const { unionid } = identity;
      if (
        unionid &&
        (await writer.ownerOf(unionid)) === userId &&
        !(await writer.listFor(userId)).some((other) => other.unionid === unionid)
      )
        await writer.releaseUnionid(unionid);
      return true;
    });
  }

  /** A user's identities, oldest first. */
  identitiesOf(userId: string): Promise<WxIdentity[]> {
    return this.storeCall(() => this.store.listFor(userId));
  }

  private keyOf(profile: WxProfile): WxIdentityKey {
    if (profile.via !== 'wecom' && profile.isSnapshotUser)
      throw new WxOAuthError(
        'denied',
        "A snapshot-page user has virtual ids, not the person's: ask them to tap 使用完整服务 and log in",
      );
    return identityKeyOf(profile);
  }

  private async resolveIn<Tx, P extends WxProfile>(
    writer: WxIdentityWriter<Tx>,
    profile: P,
    key: WxIdentityKey,
    createUser: WxCreateUser<Tx, P>,
  ): Promise<WxResolvedUser> {
    const known = await writer.find(key.appid, key.openid);
    if (known) {
      return key.unionid && !known.unionid
        ? this.unionidArrived(writer, known, key.unionid)
        : { userId: known.userId, created: false };
    }
    let userId = key.unionid ? await writer.ownerOf(key.unionid) : undefined;
    const created = !userId;
    if (!userId) {
      userId = await appCode(() => createUser(profile, writer.tx));
      if (typeof userId !== 'string' || !userId)
        throw new AppCodeError(
          new TypeError(
            `createUser must answer the new user's id as a non-empty string, not ${typeof userId}`,
          ),
        );
      if (key.unionid && (await writer.claimUnionid(key.unionid, userId)) !== userId)
        throw LOST_RACE;
    }
    if ((await writer.insert({ ...key, userId, linkedAt: new Date() })) !== userId) throw LOST_RACE;
    return { userId, created };
  }

  /** A known identity brings its first unionid: claimed for its user, or a conflict with the unionid's owner. */
  private async unionidArrived<Tx>(
    writer: WxIdentityWriter<Tx>,
    identity: WxIdentity,
    unionid: string,
  ): Promise<WxResolvedUser> {
    const { appid, openid, userId } = identity;
    const owner = await writer.claimUnionid(unionid, userId);
    if (owner === userId) {
      await writer.update(appid, openid, { unionid, userId });
      return { userId, created: false };
    }
    const conflict = { unionid, identity, owner };
    const decision = this.options.onConflict
      ? await appCode(() => this.options.onConflict!(conflict, writer.tx))
      : 'keepBoth';
    if (!this.options.onConflict)
      this.logger.warn(
        `Users ${userId} and ${owner} are one WeChat person: ${appid}'s identity of ${userId} now brings the unionid ${owner}'s identities carry. ` +
          'Both are kept; give WxIdentitiesModule an onConflict to decide.',
      );
    const keptBy = decision === 'moveToOwner' ? owner : userId;
    await writer.update(appid, openid, { unionid, userId: keptBy });
    return { userId: keptBy, created: false, conflict };
  }

  /** Runs `work` in a store transaction, again when it lost a race; the store's failures are 503. */
  private async inTransaction<T>(work: (writer: WxIdentityWriter) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.storeCall(() => this.store.transaction(work));
      } catch (error) {
        if (error !== LOST_RACE) throw error;
        if (attempt === MAX_ATTEMPTS)
          throw new WxOAuthError(
            'store_unavailable',
            `The identity store lost ${MAX_ATTEMPTS} races for one key: its unique keys do not hold`,
          );
      }
    }
  }

  /** The store's own failures as 503 `store_unavailable`, naming the error's class only (a database error can carry its connection string); the app's code's errors as they were. */
  private async storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error === LOST_RACE) throw error;
      if (error instanceof AppCodeError) throw error.error;
      if (error instanceof WxOAuthError) throw error;
      this.logger.error(`The identity store failed: ${errorClassText(error)}`);
      throw new WxOAuthError(
        'store_unavailable',
        `The identity store failed (${errorClassOf(error).name})`,
      );
    }
  }
}

/** Runs the app's code, marking what it throws so that it reaches the app as it was. */
async function appCode<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AppCodeError(error);
  }
}
