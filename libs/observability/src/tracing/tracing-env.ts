import { z } from 'zod';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/**
 * OpenTelemetry's own variables, as every app's config schema lists them (the deployment contract:
 * docs/architecture.md, Environment). Only OTLP over HTTP is built in: `grpc` would need a second exporter stack.
 */
// Empty counts as unset, as the OpenTelemetry specification says (and compose's `${VAR:-}` gives).
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const TRACING_ENV_SHAPE = {
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetIfEmpty(z.string().url()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: unsetIfEmpty(z.string().url()),
  OTEL_EXPORTER_OTLP_PROTOCOL: unsetIfEmpty(z.enum(OTLP_PROTOCOLS)),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: unsetIfEmpty(z.enum(OTLP_PROTOCOLS)),
  OTEL_SERVICE_NAME: unsetIfEmpty(z.string()),
};

const TracingEnvSchema = z.object(TRACING_ENV_SHAPE);

export interface TracingSettings {
  serviceName: string;
  protocol: OtlpProtocol;
}

/**
 * Whether and how to export traces: null when no OTLP endpoint is set (then nothing of
 * OpenTelemetry is even loaded). The exporters read the endpoint variables themselves.
 */
export function tracingSettings(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): TracingSettings | null {
  const raw = Object.fromEntries(Object.keys(TRACING_ENV_SHAPE).map((k) => [k, env[k]]));
  const parsed = TracingEnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(raw[String(i.path[0])])})`);
    throw new Error(`invalid OpenTelemetry configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (!e.OTEL_EXPORTER_OTLP_ENDPOINT && !e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  return {
    serviceName: e.OTEL_SERVICE_NAME ?? defaultServiceName,
    // The specification's default for OTLP.
    protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
  };
}
