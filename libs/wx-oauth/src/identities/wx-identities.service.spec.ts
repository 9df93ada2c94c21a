import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { weComProfile } from '../profile/wx-wecom-profile.js';
import { profileOf } from './wx-identities.spec-helper.js';
import { WxIdentitiesModule } from './wx-identities.module.js';
import { WxIdentities } from './wx-identities.service.js';
import type { WxIdentityStore } from './wx-identity-store.interface.js';
import { WxMemoryIdentityStore } from './wx-memory-identity-store.js';

const createUser = async () => 'user-1';

describe('WxIdentities', () => {
  let errors: string[];

  beforeEach(() => {
    errors = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(String(message));
    });
  });

  afterEach(() => jest.restoreAllMocks());

  it("answers a failing store with 503 store_unavailable, naming the error's class and not its message", async () => {
    // As TypeORM's: a class of its own, the driver's code, the connection string in the message.
    class QueryFailedError extends Error {
      readonly code = 'ECONNREFUSED';
    }
    const down = new QueryFailedError('connect ECONNREFUSED postgres://demo:s3cret@db:5432/app');
    const store = new WxMemoryIdentityStore();
    jest.spyOn(store, 'find').mockRejectedValue(down);
    const identities = new WxIdentities({ store });

    const failure = identities.resolve(profileOf('website', 'ann'), createUser);

    await expect(failure).rejects.toMatchObject({
      kind: 'store_unavailable',
      message: 'The identity store failed (QueryFailedError)',
    });
    expect(errors).toEqual(['The identity store failed: QueryFailedError (ECONNREFUSED)']);
    expect(errors.join()).not.toContain('s3cret');
  });

  it('gives up with 503 on a store whose unique keys do not hold, instead of looping', async () => {
    const store = new WxMemoryIdentityStore();
    const broken: WxIdentityStore = {
      find: (appid, openid) => store.find(appid, openid),
      ownerOf: (unionid) => store.ownerOf(unionid),
      listFor: (userId) => store.listFor(userId),
      transaction: (work) =>
        store.transaction((writer) =>
          work(Object.assign(Object.create(writer), { claimUnionid: async () => 'someone else' })),
        ),
    };
    const created = jest.fn(createUser);

    await expect(
      new WxIdentities({ store: broken }).resolve(profileOf('website', 'bob'), created),
    ).rejects.toMatchObject({ kind: 'store_unavailable' });
    expect(created).toHaveBeenCalledTimes(4);
  });

  it("refuses a createUser that answers no id, as the app's mistake", async () => {
    const identities = new WxIdentities({ store: new WxMemoryIdentityStore() });

    await expect(
      identities.resolve(profileOf('website', 'cat'), async () => 42 as unknown as string),
    ).rejects.toThrow("createUser must answer the new user's id as a non-empty string, not number");
    expect(await identities.identitiesOf('42')).toEqual([]);
  });

  describe('WeCom people', () => {
    const CORP = 'ww0sandbox0corp';
    const member = (agentid: string) => weComProfile(CORP, agentid, { userid: 'ZhangSan' });

    it("resolves a member as (corpid, userid), kind 'wecom', one user through every app of the corp", async () => {
      const identities = new WxIdentities({ store: new WxMemoryIdentityStore() });
      let next = 0;
      const create = async () => `user-${++next}`;
      expect(await identities.resolve(member('1000002'), create)).toEqual({
        userId: 'user-1',
        created: true,
      });
      expect(await identities.resolve(member('1000003'), create)).toEqual({
        userId: 'user-1',
        created: false,
      });
      expect(await identities.identitiesOf('user-1')).toEqual([
        {
          kind: 'wecom',
          appid: CORP,
          openid: 'ZhangSan',
          userId: 'user-1',
          linkedAt: expect.any(Date),
        },
      ]);
    });

    it('keys a non-member apart from every member: their openid, else their external_userid, prefixed', async () => {
      const identities = new WxIdentities({ store: new WxMemoryIdentityStore() });
      // A member whose userid is a non-member's openid stays another person.
      const guest = weComProfile(CORP, '1000002', { openid: 'ZhangSan' });
      const contact = weComProfile(CORP, '1000002', { external_userid: 'wmContact01' });
      await identities.resolve(member('1000002'), async () => 'member');
      await identities.resolve(guest, async () => 'guest');
      await identities.resolve(contact, async () => 'contact');
      expect((await identities.identitiesOf('guest')).map(({ openid }) => openid)).toEqual([
        'openid:ZhangSan',
      ]);
      expect((await identities.identitiesOf('contact')).map(({ openid }) => openid)).toEqual([
        'external:wmContact01',
      ]);
    });
  });

  describe('WxIdentitiesModule', () => {
    it('provides WxIdentities on the memory store with forRoot()', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [WxIdentitiesModule.forRoot()],
      }).compile();
      const identities = moduleRef.get(WxIdentities);

      const { userId } = await identities.resolve(profileOf('website', 'dan'), createUser);
      expect(userId).toBe('user-1');
    });

    it("takes the store from forRootAsync's factory, its injections resolved", async () => {
      @Injectable()
      class Database {
        readonly store = new WxMemoryIdentityStore();
      }
      @Module({ providers: [Database], exports: [Database] })
      class DatabaseModule {}
      const moduleRef = await Test.createTestingModule({
        imports: [
          WxIdentitiesModule.forRootAsync({
            imports: [DatabaseModule],
            inject: [Database],
            useFactory: (db: Database) => ({ store: db.store }),
          }),
        ],
      }).compile();

      await moduleRef.get(WxIdentities).resolve(profileOf('website', 'eve'), createUser);
      expect(
        await moduleRef
          .get(Database, { strict: false })
          .store.find('wxwebsiteapp000001', 'o-website-eve'),
      ).toMatchObject({
        userId: 'user-1',
      });
    });
  });
});
