import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { WxWeChatProfile } from 'nest-wx-oauth';
import type { EntityManager, Repository } from 'typeorm';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async create(profile: WxWeChatProfile, tx: EntityManager): Promise<string> {
    const user = await tx.save(tx.create(User, { nickname: profile.nickname }));
    return String(user.id);
  }

  findOne(id: string): Promise<User | null> {
    return this.users.findOneBy({ id: Number(id) });
  }
}
