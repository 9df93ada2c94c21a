import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { WxProfile } from '../profile/wx-profile.js';
import type { WxIdentitiesModuleOptions } from './wx-identities-options.interface.js';
import { WxIdentities } from './wx-identities.service.js';
import type { WxIdentityStore } from './wx-identity-store.interface.js';
import type { WxConflictDecision, WxIdentityConflict } from './wx-identity.js';

/** A store with the app's users table beside it, as a test sets it up. */
export interface IdentitiesFixture {
  store: WxIdentityStore;
  /** Creates the app's user, through `tx` when the store has transactions the app can write in. */
  createUser(profile: WxProfile, tx: unknown): Promise<string>;
  /** How many users the app has: a lost race must leave none behind. */
  countUsers(): Promise<number>;
  close(): Promise<void>;
}

const OFFICIAL_ACCOUNT = 'wxofficialaccount01';
const WEBSITE = 'wxwebsiteapp000001';
const MINI_PROGRAM = 'wxminiprogram00001';

/** A login's profile: an official account's (`snsapi_userinfo`, or `snsapi_base` without a unionid), the website's or a mini-program's. */
export function profileOf(
  app: 'officialAccount' | 'website' | 'miniProgram',
  person: string,
  { unionid = true, snapshot = false }: { unionid?: boolean; snapshot?: boolean } = {},
): WxProfile {
  const appid = { officialAccount: OFFICIAL_ACCOUNT, website: WEBSITE, miniProgram: MINI_PROGRAM }[
    app
  ];
  const openid = `o-${app}-${person}`;
  const ids = {
    provider: 'wechat' as const,
    appid,
    id: openid,
    openid,
    ...(unionid ? { unionid: `u-${person}` } : {}),
    isSnapshotUser: snapshot,
  };
  if (app === 'miniProgram')
    return { ...ids, via: 'miniProgram', scope: [], raw: { session: { openid } } };
  const scope = app === 'website' ? 'snsapi_login' : unionid ? 'snsapi_userinfo' : 'snsapi_base';
  return {
    ...ids,
    via: 'oauth',
    scope: [scope],
    raw: {
      token: { expires_in: 7200, openid, scope, ...(snapshot ? { is_snapshotuser: 1 } : {}) },
    },
  };
}

/**
 * What every identity store must do under `WxIdentities`, run against one store: the memory
 * store's spec, and the TypeORM store's on PostgreSQL and sql.js.
 */
export function describeWxIdentities(name: string, setup: () => Promise<IdentitiesFixture>): void {
  describe(`WxIdentities on ${name}`, () => {
    let fixture: IdentitiesFixture;
    let warnings: string[];

    const identitiesWith = (options: Omit<WxIdentitiesModuleOptions, 'store'> = {}) =>
      new WxIdentities({ store: fixture.store, ...options });
    const create = (profile: WxProfile, tx: unknown) => fixture.createUser(profile, tx);

    beforeEach(async () => {
      fixture = await setup();
      warnings = [];
      jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
        warnings.push(String(message));
      });
    });

    afterEach(async () => {
      jest.restoreAllMocks();
      await fixture.close();
    });

    it('makes a new person a new user, and finds them at the next login', async () => {
      const identities = identitiesWith();
      const first = await identities.resolve(profileOf('officialAccount', 'ann'), create);
      const again = await identities.resolve(profileOf('officialAccount', 'ann'), create);

      expect(first.created).toBe(true);
      expect(again).toEqual({ userId: first.userId, created: false });
      expect(await fixture.countUsers()).toBe(1);
      expect(await identities.identitiesOf(first.userId)).toEqual([
        expect.objectContaining({
          kind: 'officialAccount',
          appid: OFFICIAL_ACCOUNT,
          openid: 'o-officialAccount-ann',
          unionid: 'u-ann',
          userId: first.userId,
          linkedAt: expect.any(Date),
        }),
      ]);
    });

    it('is one user for one person through every app bound to the Open Platform account', async () => {
      const identities = identitiesWith();
      const web = await identities.resolve(profileOf('website', 'bob'), create);
      const phone = await identities.resolve(profileOf('officialAccount', 'bob'), create);
      const mini = await identities.resolve(profileOf('miniProgram', 'bob'), create);

      expect([phone.userId, mini.userId]).toEqual([web.userId, web.userId]);
      expect([phone.created, mini.created]).toEqual([false, false]);
      // Sorted: links made within one millisecond have no order of their own.
      expect((await identities.identitiesOf(web.userId)).map((i) => i.kind).sort()).toEqual([
        'miniProgram',
        'officialAccount',
        'website',
      ]);
      expect(await fixture.countUsers()).toBe(1);
    });

    it('keeps people apart: another unionid, or none, is another user', async () => {
      const identities = identitiesWith();
      const cat = await identities.resolve(profileOf('website', 'cat'), create);
      const dan = await identities.resolve(profileOf('website', 'dan'), create);
      const unbound = await identities.resolve(
        profileOf('miniProgram', 'cat', { unionid: false }),
        create,
      );

      expect(new Set([cat.userId, dan.userId, unbound.userId]).size).toBe(3);
      expect(await fixture.countUsers()).toBe(3);
    });

    it('ends twenty simultaneous first logins of one new person through two apps as one user, leaving no other', async () => {
      const identities = identitiesWith();
      const logins = Array.from({ length: 20 }, (_, i) =>
        identities.resolve(profileOf(i % 2 ? 'website' : 'officialAccount', 'eve'), create),
      );
      const results = await Promise.all(logins);

      expect(new Set(results.map((r) => r.userId)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await fixture.countUsers()).toBe(1);
      expect(await identities.identitiesOf(results[0]!.userId)).toHaveLength(2);
    });

    it("links an snsapi_base login's identity to the person when its unionid arrives", async () => {
      const identities = identitiesWith();
      const base = await identities.resolve(
        profileOf('officialAccount', 'fay', { unionid: false }),
        create,
      );
      const userinfo = await identities.resolve(profileOf('officialAccount', 'fay'), create);
      const web = await identities.resolve(profileOf('website', 'fay'), create);

      expect([userinfo.userId, web.userId]).toEqual([base.userId, base.userId]);
      expect(userinfo.conflict).toBeUndefined();
      expect((await identities.identitiesOf(base.userId)).map((i) => i.unionid)).toEqual([
        'u-fay',
        'u-fay',
      ]);
      expect(await fixture.countUsers()).toBe(1);
      expect(warnings).toEqual([]);
    });

    describe('when two users turn out to be one person', () => {
      /** An snsapi_base login (no unionid), then the website's login of the same person: two users until the unionid arrives. */
      async function twoUsersOfOnePerson(identities: WxIdentities) {
        const base = await identities.resolve(
          profileOf('officialAccount', 'gus', { unionid: false }),
          create,
        );
        const web = await identities.resolve(profileOf('website', 'gus'), create);
        expect(web.userId).not.toBe(base.userId);
        return { base: base.userId, web: web.userId };
      }

      it('keeps both users by default, reports the conflict, and merges nothing', async () => {
        const identities = identitiesWith();
        const users = await twoUsersOfOnePerson(identities);

        const result = await identities.resolve(profileOf('officialAccount', 'gus'), create);

        expect(result).toEqual({
          userId: users.base,
          created: false,
          conflict: {
            unionid: 'u-gus',
            owner: users.web,
            identity: expect.objectContaining({ appid: OFFICIAL_ACCOUNT, userId: users.base }),
          },
        });
        expect(warnings).toEqual([
          expect.stringContaining(`Users ${users.base} and ${users.web} are one WeChat person`),
        ]);
        expect((await identities.identitiesOf(users.base)).map((i) => i.appid)).toEqual([
          OFFICIAL_ACCOUNT,
        ]);
        expect((await identities.identitiesOf(users.web)).map((i) => i.appid)).toEqual([WEBSITE]);
        // Reported once: the unionid is now recorded on the identity.
        expect(await identities.resolve(profileOf('officialAccount', 'gus'), create)).toEqual({
          userId: users.base,
          created: false,
        });
        expect(warnings).toHaveLength(1);
        expect(await fixture.countUsers()).toBe(2);
      });

      it("hands the conflict to the app's hook, which may move the identity to the unionid's owner", async () => {
        const onConflict = jest.fn(
          async (_conflict: WxIdentityConflict): Promise<WxConflictDecision> => 'moveToOwner',
        );
        const identities = identitiesWith({ onConflict });
        const users = await twoUsersOfOnePerson(identities);

        const result = await identities.resolve(profileOf('officialAccount', 'gus'), create);

        expect(onConflict).toHaveBeenCalledTimes(1);
        expect(onConflict.mock.calls[0]![0]).toMatchObject({ unionid: 'u-gus', owner: users.web });
        expect(result.userId).toBe(users.web);
        expect(await identities.identitiesOf(users.base)).toEqual([]);
        expect((await identities.identitiesOf(users.web)).map((i) => i.appid).sort()).toEqual(
          [OFFICIAL_ACCOUNT, WEBSITE].sort(),
        );
        expect(warnings).toEqual([]);
      });

      it("undoes the login's writes when the hook throws, and the error reaches the app as it was", async () => {
        const refusal = new Error('merge refused');
        const identities = identitiesWith({ onConflict: () => Promise.reject(refusal) });
        const users = await twoUsersOfOnePerson(identities);

        await expect(identities.resolve(profileOf('officialAccount', 'gus'), create)).rejects.toBe(
          refusal,
        );
        expect((await identities.identitiesOf(users.base))[0]!.unionid).toBeUndefined();
      });
    });

    it("rolls back a login whose createUser throws: the app's error as it was, no identity left", async () => {
      const identities = identitiesWith();
      const failure = new Error('users table full');

      await expect(
        identities.resolve(profileOf('website', 'hal'), () => Promise.reject(failure)),
      ).rejects.toBe(failure);
      const again = await identities.resolve(profileOf('website', 'hal'), create);
      expect(again.created).toBe(true);
      expect(await fixture.countUsers()).toBe(1);
    });

    it('refuses a snapshot-page user (virtual ids) with 401 denied, creating nothing', async () => {
      await expect(
        identitiesWith().resolve(profileOf('officialAccount', 'ivy', { snapshot: true }), create),
      ).rejects.toMatchObject({ kind: 'denied' });
      expect(await fixture.countUsers()).toBe(0);
    });

    describe('link', () => {
      it('links a login to a signed-in user, unionid and all', async () => {
        const identities = identitiesWith();
        const { userId } = await identities.resolve(
          profileOf('miniProgram', 'jay', { unionid: false }),
          create,
        );

        const linked = await identities.link(profileOf('website', 'jay'), userId);

        expect(linked).toMatchObject({ appid: WEBSITE, unionid: 'u-jay', userId });
        expect((await identities.resolve(profileOf('officialAccount', 'jay'), create)).userId).toBe(
          userId,
        );
      });

      it("refuses another user's identity, or another user's person, with 409 identity_taken", async () => {
        const identities = identitiesWith();
        const kay = await identities.resolve(profileOf('website', 'kay'), create);
        const lee = await identities.resolve(profileOf('website', 'lee'), create);

        await expect(
          identities.link(profileOf('website', 'kay'), lee.userId),
        ).rejects.toMatchObject({
          kind: 'identity_taken',
        });
        await expect(
          identities.link(profileOf('officialAccount', 'kay'), lee.userId),
        ).rejects.toMatchObject({
          kind: 'identity_taken',
        });
        expect((await identities.identitiesOf(kay.userId)).map((i) => i.appid)).toEqual([WEBSITE]);
        expect((await identities.identitiesOf(lee.userId)).map((i) => i.appid)).toEqual([WEBSITE]);
      });
    });

    describe('unlink', () => {
      it("removes one of the user's identities, and no one else's", async () => {
        const identities = identitiesWith();
        const { userId } = await identities.resolve(profileOf('website', 'max'), create);
        await identities.resolve(profileOf('officialAccount', 'max'), create);
        const other = await identities.resolve(profileOf('website', 'ned'), create);

        expect(
          await identities.unlink(other.userId, OFFICIAL_ACCOUNT, 'o-officialAccount-max'),
        ).toBe(false);
        expect(await identities.unlink(userId, OFFICIAL_ACCOUNT, 'o-officialAccount-max')).toBe(
          true,
        );
        expect(await identities.unlink(userId, OFFICIAL_ACCOUNT, 'o-officialAccount-max')).toBe(
          false,
        );

        expect((await identities.identitiesOf(userId)).map((i) => i.appid)).toEqual([WEBSITE]);
        // The same person's unionid stays with the user: their next login through the official account links again.
        expect((await identities.resolve(profileOf('officialAccount', 'max'), create)).userId).toBe(
          userId,
        );
      });

      it("releases the person's unionid with their last identity: their next login is a new user", async () => {
        const identities = identitiesWith();
        const { userId } = await identities.resolve(profileOf('website', 'oli'), create);

        expect(await identities.unlink(userId, WEBSITE, 'o-website-oli')).toBe(true);
        const next = await identities.resolve(profileOf('officialAccount', 'oli'), create);

        expect(next.created).toBe(true);
        expect(next.userId).not.toBe(userId);
      });
    });
  });
}
