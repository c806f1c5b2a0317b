import { z } from 'zod';
import { badRequest } from './relay-http-error';

/** Validates a request body with zod; a bad one is a 400 naming each bad field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw badRequest(message);
  }
  return parsed.data;
}
