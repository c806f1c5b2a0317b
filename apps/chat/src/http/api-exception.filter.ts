import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

const CODES: Record<number, string> = {
  400: 'bad_request',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
};

export interface ApiError {
  error: string;
  message: string;
}

/** Every error the API answers has the shape {error, message} (design §7), whatever raised it. */
export function toApiError(err: unknown): { status: number; body: ApiError } {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : err.message;
    return { status, body: { error: CODES[status] ?? (status >= 500 ? 'internal' : 'error'), message } };
  }
  // body-parser errors carry their own status (400 malformed JSON, 413 too large).
  const withStatus = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = withStatus.status ?? withStatus.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = withStatus.type === 'entity.parse.failed' ? 'malformed JSON body' : (withStatus.message ?? 'bad request');
    return { status, body: { error: CODES[status] ?? 'error', message } };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: 'internal', message: 'internal error' } };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger(ApiExceptionFilter.name);

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = toApiError(err);
    if (status >= 500) this.log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    res.status(status).json(body);
  }
}
