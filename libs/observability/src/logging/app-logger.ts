import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, LoggerOptions } from 'pino';
import { LogFormat, resolveLogFormat } from './log-format';
import { REDACTED_LOG_PATHS } from './log-redaction';

export interface AppLoggerOptions {
  level: string;
  /** LOG_FORMAT as configured; unset: pretty on a terminal outside production, else JSON. */
  format: LogFormat | undefined;
  /** pino-http's per-request line; each app decides (it costs CPU even when filtered out). */
  autoLogging: boolean;
  /** Anything else of the app's own: `base` fields, serializers, a request log level. */
  pino?: Omit<LoggerOptions, 'level' | 'redact'> & { customLogLevel?: () => pino.LevelWithSilent };
}

/**
 * Where log lines go. Both are synchronous on stdout: Nest re-raises SIGTERM after its shutdown
 * hooks, and an asynchronous destination (or pino-pretty as a worker-thread transport) would lose
 * the last lines a stopping process wrote. pino-pretty is loaded only when asked for.
 */
function destination(format: LogFormat): DestinationStream {
  if (format === 'json') return pino.destination({ dest: 1, sync: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    destination: 1,
    sync: true,
    // Asked-for pretty output is for a person: coloured unless NO_COLOR (no-color.org) says not.
    colorize: !process.env.NO_COLOR,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // The same on every line of one process (the launcher's prefix names the service), or, for
    // `req`, a request's whole header set: noise for a person; the JSON format keeps them.
    ignore: 'pid,hostname,app,context,req',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/** The nestjs-pino LoggerModule parameters every app uses, so the three log the same way. */
export function appLoggerParams(opts: AppLoggerOptions): Params {
  return {
    // Without the per-request line, pino-http's middleware would still make a child logger and an
    // AsyncLocalStorage scope for every request (~8% of a relay's CPU per request in the bench's
    // profile) for nothing: it is then applied to no route, and lines logged while handling a
    // request carry the app's bindings only (their own fields — corrId, connId — still say which).
    ...(opts.autoLogging ? {} : { forRoutes: [] }),
    pinoHttp: [
      {
        ...opts.pino,
        level: opts.level,
        autoLogging: opts.autoLogging,
        redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      },
      destination(resolveLogFormat(opts.format, { isTTY: Boolean(process.stdout.isTTY), nodeEnv: process.env.NODE_ENV })),
    ],
  };
}
