import { OneAtATime } from '../utils/one-at-a-time.js';
import type { WxIdentity } from './wx-identity.js';
import type {
  WxIdentityReader,
  WxIdentityStore,
  WxIdentityWriter,
} from './wx-identity-store.interface.js';

type Identities = Map<string, WxIdentity | null>;
type Owners = Map<string, string | null>;

const keyOf = (appid: string, openid: string): string => `${appid}\n${openid}`;

/** Reads of committed rows, seen through a transaction's own writes (null: deleted). */
class MemoryReader implements WxIdentityReader {
  constructor(
    protected readonly identities: Identities,
    protected readonly owners: Owners,
    private readonly base?: MemoryReader,
  ) {}

  async find(appid: string, openid: string): Promise<WxIdentity | undefined> {
    const own = this.identities.get(keyOf(appid, openid));
    if (own !== undefined) return own ?? undefined;
    return this.base?.find(appid, openid);
  }

  async ownerOf(unionid: string): Promise<string | undefined> {
    const own = this.owners.get(unionid);
    if (own !== undefined) return own ?? undefined;
    return this.base?.ownerOf(unionid);
  }

  async listFor(userId: string): Promise<WxIdentity[]> {
    const all = new Map(
      this.base ? (await this.base.listFor(userId)).map((i) => [keyOf(i.appid, i.openid), i]) : [],
    );
    for (const [key, identity] of this.identities) {
      if (identity?.userId === userId) all.set(key, identity);
      else all.delete(key);
    }
    return [...all.values()].sort((a, b) => a.linkedAt.getTime() - b.linkedAt.getTime());
  }
}

class MemoryWriter extends MemoryReader implements WxIdentityWriter<undefined> {
  readonly tx = undefined;

  constructor(base: MemoryReader) {
    super(new Map(), new Map(), base);
  }

  async claimUnionid(unionid: string, userId: string): Promise<string> {
    const owner = await this.ownerOf(unionid);
    if (owner) return owner;
    this.owners.set(unionid, userId);
    return userId;
  }

  async insert(identity: WxIdentity): Promise<string> {
    const held = await this.find(identity.appid, identity.openid);
    if (held) return held.userId;
    this.identities.set(keyOf(identity.appid, identity.openid), { ...identity });
    return identity.userId;
  }

  async update(
    appid: string,
    openid: string,
    change: Pick<WxIdentity, 'unionid' | 'userId'>,
  ): Promise<void> {
    const identity = await this.find(appid, openid);
    if (identity) this.identities.set(keyOf(appid, openid), { ...identity, ...change });
  }

  async remove(appid: string, openid: string): Promise<void> {
    this.identities.set(keyOf(appid, openid), null);
  }

  async releaseUnionid(unionid: string): Promise<void> {
    this.owners.set(unionid, null);
  }

  /** The transaction's writes, to apply to the committed maps. */
  changes(): { identities: Identities; owners: Owners } {
    return { identities: this.identities, owners: this.owners };
  }
}

/**
 * The default identity store: this process's memory, for development and
 * tests. Lost on restart and not shared between instances: use a database
 * (`nest-wx-oauth/typeorm`) for those. Its transactions run one at a time,
 * and their writes land at the end, all or none.
 *
 * @publicApi
 */
export class WxMemoryIdentityStore extends MemoryReader implements WxIdentityStore<undefined> {
  private readonly transactions = new OneAtATime();

  constructor() {
    super(new Map(), new Map());
  }

  transaction<T>(work: (writer: WxIdentityWriter<undefined>) => Promise<T>): Promise<T> {
    return this.transactions.run(async () => {
      const writer = new MemoryWriter(this);
      const result = await work(writer);
      const { identities, owners } = writer.changes();
      for (const [key, identity] of identities) apply(this.identities, key, identity);
      for (const [unionid, owner] of owners) apply(this.owners, unionid, owner);
      return result;
    });
  }
}

function apply<V>(map: Map<string, V | null>, key: string, value: V | null): void {
  if (value === null) map.delete(key);
  else map.set(key, value);
}
