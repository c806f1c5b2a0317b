import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * INSERT … ON CONFLICT DO NOTHING RETURNING *; true when the row is new. (TypeORM's
 * `identifiers` echo the values even when the insert was skipped, so only the returned rows tell.)
 */
export async function insertIfAbsent<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  values: QueryDeepPartialEntity<E>,
): Promise<boolean> {
  const result = await em.createQueryBuilder().insert().into(entity).values(values).orIgnore().returning('*').execute();
  return Array.isArray(result.raw) && result.raw.length > 0;
}
