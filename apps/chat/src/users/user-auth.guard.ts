import { BoundedMap } from '@gc/contracts';
import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { User } from './user.entity';
import { findUserByTokenHash } from './user-store';
import { bearerToken, tokenHash } from './user-token';

/** Tokens known to this process: a token never changes owner, so a hit needs no round trip. */
const CACHE_SIZE = 10_000;

export interface AuthenticatedRequest extends Request {
  user: User;
}

/**
 * The API's rule: every /users/:userId/... call carries `Authorization: Bearer <token of that user>`.
 * None, a malformed or an unknown token → 401; a valid token of another user → 404, exactly as for
 * another user's objects (the caller learns nothing about which user ids exist). The user is then
 * `request.user` (see CurrentUser).
 */
@Injectable()
export class UserAuthGuard implements CanActivate {
  private readonly known = new BoundedMap<string, User>(CACHE_SIZE);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedException('missing or malformed Authorization: Bearer <token>');
    const user = await this.userOf(token);
    if (!user) throw new UnauthorizedException('unknown token');
    const claimed = String(req.params.userId ?? '').toLowerCase();
    if (claimed !== user.id) throw new NotFoundException(`user ${req.params.userId} not found`);
    req.user = user;
    return true;
  }

  private async userOf(token: string): Promise<User | null> {
    const hash = tokenHash(token);
    const key = hash.toString('base64');
    const cached = this.known.get(key);
    if (cached) return cached;
    const user = await findUserByTokenHash(this.db, hash);
    if (!user) return null;
    this.known.set(key, user);
    return user;
  }
}
