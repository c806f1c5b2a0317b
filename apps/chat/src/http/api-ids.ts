import { NotFoundException } from '@nestjs/common';
import { z } from 'zod';

const Uuid = z.uuid();

/** Ids are opaque strings; one that cannot exist is simply not found. */
export function requireId(value: string, what: string): string {
  if (!Uuid.safeParse(value).success) throw new NotFoundException(`${what} ${value} not found`);
  return value.toLowerCase();
}
