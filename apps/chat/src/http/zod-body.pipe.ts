import { BadRequestException, PipeTransform } from '@nestjs/common';
import { z } from 'zod';

/** Validates a request body (or query) with zod; a bad one is a 400 that names each field. */
export class ZodPipe<S extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : this.what}: ${i.message}`);
    throw new BadRequestException(`invalid ${this.what}: ${issues.join('; ')}`);
  }
}
