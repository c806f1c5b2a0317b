import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';

const ERROR_NAMES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Maps every exception (ours, Nest's, body-parser's) to `{error, message}`. */
@Catch()
export class RelayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('RelayExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { status, body } = describeAndLog(exception, this.logger);
    res.status(status).json(body);
  }
}

export interface RelayErrorAnswer {
  status: number;
  body: { error: string; message: string };
}

/** As describeRelayError; our own 5xx answers (health's 503) are expected, anything else thrown is logged (a bug or Redis trouble). */
export function describeAndLog(exception: unknown, logger: Logger): RelayErrorAnswer {
  const answer = describeRelayError(exception);
  if (answer.status >= 500 && !(exception instanceof HttpException)) {
    logger.error({ err: exception }, `request failed: ${exception instanceof Error ? exception.message : String(exception)}`);
  }
  return answer;
}

/** The status and `{error, message}` an exception answers with, for a whole request or one operation of a batch. */
export function describeRelayError(exception: unknown): RelayErrorAnswer {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response && 'error' in response && 'message' in response) {
      const { error, message } = response as { error: unknown; message: unknown };
      if (typeof error === 'string' && typeof message === 'string' && /^[a-z_]+$/.test(error)) {
        return { status, body: { error, message } };
      }
      const text = Array.isArray(message) ? message.join('; ') : String(message);
      return { status, body: { error: ERROR_NAMES[status] ?? (status >= 500 ? 'internal' : 'bad_request'), message: text } };
    }
    return { status, body: { error: ERROR_NAMES[status] ?? 'error', message: exception.message } };
  }
  // body-parser's errors carry a status and a type (entity.parse.failed, entity.too.large, ...).
  const e = exception as { status?: unknown; type?: unknown; message?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const message = e.type === 'entity.too.large' ? 'request body too large' : `invalid request body: ${String(e.message)}`;
    return { status: e.status, body: { error: ERROR_NAMES[e.status] ?? 'bad_request', message } };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}
