import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** The part of a zod schema this test needs; zod's own types are not worth importing here. */
interface ZodLike {
  safeParse(value: unknown): { success: boolean };
  shape?: Record<string, ZodLike>;
  _zod?: { def?: { type?: string; in?: ZodLike; innerType?: ZodLike } };
}

export interface AppConfigSchema {
  app: string;
  file: string;
  /** Every raw env var name the schema reads. */
  keys: string[];
  /** The ones without a default that are not optional: compose must set them. */
  required: string[];
  shape: Record<string, ZodLike>;
  load: (env: NodeJS.ProcessEnv) => unknown;
}

export function configFile(app: string): string {
  return join(ROOT, 'apps', app, 'src', 'config', `${app}-config.ts`);
}

// A refined or transformed object schema is a pipe in zod 4; its input side holds the shape.
function objectShape(schema: ZodLike): Record<string, ZodLike> {
  if (schema.shape) return schema.shape;
  const def = schema._zod?.def;
  if (def?.type === 'pipe' && def.in) return objectShape(def.in);
  if (def?.innerType) return objectShape(def.innerType);
  throw new Error('config schema is not a zod object (or a refined/transformed one)');
}

/**
 * Loads `apps/<app>/src/config/<app>-config.ts` by the team's naming convention:
 * `<App>ConfigSchema` and `load<App>Config`. Null while the file does not exist yet.
 */
export function loadAppConfigSchema(app: string): AppConfigSchema | null {
  const file = configFile(app);
  if (!existsSync(file)) return null;
  const capital = app[0].toUpperCase() + app.slice(1);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, unknown>;
  const schema = mod[`${capital}ConfigSchema`] as ZodLike | undefined;
  const load = mod[`load${capital}Config`] as AppConfigSchema['load'] | undefined;
  if (!schema || typeof load !== 'function') {
    throw new Error(`${file} must export ${capital}ConfigSchema and load${capital}Config`);
  }
  const shape = objectShape(schema);
  const keys = Object.keys(shape);
  const required = keys.filter((k) => !shape[k].safeParse(undefined).success);
  return { app, file, keys, required, shape, load };
}
