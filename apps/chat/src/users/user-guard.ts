import { NotFoundException } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { requireId } from '../http/api-ids';
import { User } from './user.entity';
import { findUser } from './user-store';

/** The user named in the path must exist; every object is then looked up within that user. */
export async function requireUserParam(db: DataSource | EntityManager, raw: string): Promise<User> {
  const user = await findUser(db, requireId(raw, 'user'));
  if (!user) throw new NotFoundException(`user ${raw} not found`);
  return user;
}
