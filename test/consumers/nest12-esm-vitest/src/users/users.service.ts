import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface User {
  id: string;
  name: string;
  openid: string;
}

/** The app's users: a repository in a real app. */
@Injectable()
export class UsersService {
  private readonly byOpenid = new Map<string, User>();

  upsertByOpenid(openid: string, data: { name?: string }): User {
    const user = this.byOpenid.get(openid) ?? {
      id: randomUUID(),
      name: '',
      openid,
    };
    Object.assign(user, { name: data.name ?? user.name });
    this.byOpenid.set(openid, user);
    return user;
  }

  findByOpenid(openid: string): User | undefined {
    return this.byOpenid.get(openid);
  }
}
