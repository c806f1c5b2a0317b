import { HttpException } from '@nestjs/common';

/** Every answer that is not a success: `{error, message}` with an HTTP status (architecture.md). */
export class RelayHttpError extends HttpException {
  constructor(status: number, error: string, message: string) {
    super({ error, message }, status);
  }
}

export const badRequest = (message: string, error = 'bad_request') => new RelayHttpError(400, error, message);
export const notFound = (message: string) => new RelayHttpError(404, 'not_found', message);
