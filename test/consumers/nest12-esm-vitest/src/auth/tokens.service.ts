import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { User } from '../users/users.service.js';

/** The app's own bearer tokens for its front end (a JWT in many apps). */
@Injectable()
export class TokensService {
  private readonly users = new Map<string, User>();

  issue(user: User): string {
    const token = randomBytes(32).toString('base64url');
    this.users.set(token, user);
    return token;
  }

  userOf(token: string): User | undefined {
    return this.users.get(token);
  }
}
