import type { WxIdentity } from './wx-identity.js';

/**
 * What `WxIdentities` reads, outside a transaction or inside one.
 *
 * @publicApi
 */
export interface WxIdentityReader {
  /** The identity of `appid`'s `openid`. */
  find(appid: string, openid: string): Promise<WxIdentity | undefined>;
  /** The user a unionid belongs to: the user whose login recorded it first. */
  ownerOf(unionid: string): Promise<string | undefined>;
  /** A user's identities, oldest first. */
  listFor(userId: string): Promise<WxIdentity[]>;
}

/**
 * The writes of one transaction. Both inserts are "insert unless the key is
 * held", then a read of who holds it: a database does that with a unique key
 * (`ON CONFLICT DO NOTHING` / `INSERT OR IGNORE`), which makes a concurrent
 * transaction wait for the first to end and then see its row.
 *
 * @publicApi
 */
export interface WxIdentityWriter<Tx = unknown> extends WxIdentityReader {
  /** The transaction as the app's code writes in it (TypeORM's `EntityManager`); `undefined` for the memory store. */
  readonly tx: Tx;
  /** Records `userId` as the unionid's owner unless it has one; answers the owner either way. */
  claimUnionid(unionid: string, userId: string): Promise<string>;
  /** Inserts the identity unless its `(appid, openid)` is held; answers the user holding it either way. */
  insert(identity: WxIdentity): Promise<string>;
  /** Sets an identity's unionid, or moves it to another user. */
  update(
    appid: string,
    openid: string,
    change: Pick<WxIdentity, 'unionid' | 'userId'>,
  ): Promise<void>;
  /** Deletes an identity. */
  remove(appid: string, openid: string): Promise<void>;
  /** Deletes a unionid's owner record, so that its next login is a new person's. */
  releaseUnionid(unionid: string): Promise<void>;
}

/**
 * The identities port: where the links of WeChat identities to the app's users
 * live (`WxIdentitiesModule`'s `store`). Two keys make it right under
 * concurrency: `(appid, openid)` of an identity, and the unionid of its owner
 * record. An adapter for an ORM is its reads, the writer's five writes, and
 * `transaction`; `WxMemoryIdentityStore` and `nest-wx-oauth/typeorm`'s
 * `WxTypeOrmIdentityStore` are two.
 *
 * @publicApi
 */
export interface WxIdentityStore<Tx = unknown> extends WxIdentityReader {
  /** Runs `work` in one transaction: its writes, and the app's through `writer.tx`, all land or none do (when `work` throws). */
  transaction<T>(work: (writer: WxIdentityWriter<Tx>) => Promise<T>): Promise<T>;
}
