import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import { callerAddress } from '../http/caller-address';

interface Bucket {
  tokens: number;
  at: number;
}

// The operator's own endpoints (admin API, metrics scrape, health probe) are not the public API.
const EXEMPT_PATH = /^\/(admin(\/|$)|metrics\/?$|health\/?$)/;
/** Buckets kept at most; past it, full (idle) buckets are forgotten first, so the map stays bounded. */
const MAX_BUCKETS = 100_000;

/**
 * Requests per caller address, as a token bucket (RELAY_RATE_LIMIT_PER_SECOND, bursts of twice
 * that): a caller past it gets 429 with Retry-After and the relay keeps serving everyone else. In
 * memory per relay process: a bound on work, not on storage (that is the queue and message bounds).
 */
@Injectable()
export class CallerRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;

  constructor(@Inject(RELAY_CONFIG) config: RelayConfig) {
    this.rate = config.bounds.requestsPerSecond;
    this.burst = 2 * this.rate;
  }

  /** True when the caller may make one more request now. */
  take(caller: string, now = Date.now()): boolean {
    let bucket = this.buckets.get(caller);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetIdle(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(caller, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** The 429 answer's message (a whole request, or one operation of a batch past the caller's tokens). */
  get refusal(): string {
    return `more than ${this.rate} requests per second from this address; retry later`;
  }

  /** One token per request; POST /batch takes one more per operation after its first (BatchController). */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (EXEMPT_PATH.test(req.path) || this.take(callerAddress(req))) return next();
    res.status(429).set('retry-after', '1').json({ error: 'rate_limited', message: this.refusal });
  };

  private forgetIdle(now: number): void {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.rate >= this.burst) this.buckets.delete(caller);
    }
    // Everyone is busy (a spray of addresses): drop the oldest half rather than grow.
    if (this.buckets.size >= MAX_BUCKETS) {
      let n = 0;
      for (const caller of this.buckets.keys()) if (n++ < MAX_BUCKETS / 2) this.buckets.delete(caller);
    }
  }
}
