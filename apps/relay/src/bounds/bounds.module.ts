import { Module } from '@nestjs/common';
import { CallerRateLimiter } from './caller-rate-limiter';

@Module({ providers: [CallerRateLimiter], exports: [CallerRateLimiter] })
export class BoundsModule {}
