import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WxIdentities, type WxProfile } from 'nest-wx-oauth';
import type { EntityManager, Repository } from 'typeorm';
import { databaseCall } from '../database/database-call.js';
import { DemoUserEntity } from '../database/demo-user.entity.js';
import { type DemoLogin, type DemoUser, toDemoLogin, weComDetails } from './demo-user.js';

/**
 * The demo's users, in its database (PostgreSQL, or the embedded engine's
 * file): a row per person in `demo_users`, and their identities linked to it
 * by `WxIdentities`, so that the phone's, the desktop's, the mini-program's and
 * the native app's logins of one person are one user; a WeCom member, who has
 * no unionid, is a user of their own.
 */
@Injectable()
export class DemoUsers {
  private readonly logger = new Logger(DemoUsers.name);

  constructor(
    @InjectRepository(DemoUserEntity) private readonly rows: Repository<DemoUserEntity>,
    private readonly identities: WxIdentities,
  ) {}

  /**
   * `WxIdentities.resolve`'s `createUser`: a new person's row, inserted in the
   * login's transaction, so that a login that loses the race for the person
   * leaves no row behind.
   */
  create(tx: EntityManager): Promise<string> {
    const id = randomUUID();
    return this.database(() => tx.insert(DemoUserEntity, { id }).then(() => id));
  }

  /**
   * Keeps what this login brings on the user's row (the nickname and avatar, a WeCom member's
   * name and avatar, the phone number; a login that brings less erases nothing), and answers
   * the session's login.
   */
  async logIn(userId: string, profile: WxProfile): Promise<DemoLogin> {
    const { nickname, headimgurl } = shownOf(profile);
    const phoneNumber = profile.via === 'miniProgram' ? profile.phoneNumber : undefined;
    const details = {
      ...(nickname !== undefined ? { nickname, headimgurl: headimgurl ?? null } : {}),
      ...(phoneNumber ? { phoneNumber } : {}),
    };
    if (Object.keys(details).length)
      await this.database(() => this.rows.update({ id: userId }, details));
    return toDemoLogin(userId, profile);
  }

  /** The user as now known, seen through the session's login; undefined once the row is gone (the database started afresh). */
  async current(login: DemoLogin): Promise<DemoUser | undefined> {
    const row = await this.database(() => this.rows.findOneBy({ id: login.id }));
    if (!row) return undefined;
    const identities = await this.identities.identitiesOf(row.id);
    return {
      ...login,
      nickname: row.nickname ?? undefined,
      headimgurl: row.headimgurl ?? undefined,
      phoneNumber: row.phoneNumber ?? undefined,
      createdAt: row.createdAt,
      identities: identities.map(({ userId: _owner, ...identity }) => identity),
    };
  }

  /**
   * Unlinks one of the user's identities; false when it is not theirs. The session's own
   * login is the caller's to refuse: the session would outlive its identity.
   */
  unlink(login: DemoLogin, appid: string, openid: string): Promise<boolean> {
    return this.identities.unlink(login.id, appid, openid);
  }

  private database<T>(call: () => Promise<T>): Promise<T> {
    return databaseCall(this.logger, call);
  }
}

/** The name and avatar a login brings: WeChat's nickname and headimgurl, a consenting WeCom member's name and avatar. */
function shownOf(profile: WxProfile): { nickname?: string; headimgurl?: string } {
  if (profile.via !== 'wecom') return profile;
  const details = weComDetails(profile);
  return { nickname: details?.name, headimgurl: details?.avatar };
}
