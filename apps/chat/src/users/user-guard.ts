import { NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { requireId } from '../http/api-ids';
import { User } from './user.entity';

/** The user named in the path must exist; every object is then looked up within that user. */
export async function requireUserParam(em: EntityManager, raw: string): Promise<User> {
  const id = requireId(raw, 'user');
  const user = await em.findOne(User, { where: { id } });
  if (!user) throw new NotFoundException(`user ${raw} not found`);
  return user;
}
