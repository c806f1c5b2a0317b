import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import { RelayHttpError } from '../http/relay-http-error';

@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly token: Buffer;

  constructor(@Inject(RELAY_CONFIG) config: RelayConfig) {
    this.token = Buffer.from(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<Request>().header('x-admin-token');
    const candidate = Buffer.from(given ?? '');
    if (candidate.length !== this.token.length || !timingSafeEqual(candidate, this.token)) {
      throw new RelayHttpError(401, 'unauthorized', 'missing or wrong x-admin-token');
    }
    return true;
  }
}
