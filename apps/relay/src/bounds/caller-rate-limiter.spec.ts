import { loadRelayConfig } from '../config/relay-config';
import { CallerRateLimiter } from './caller-rate-limiter';

describe('CallerRateLimiter', () => {
  const limiter = () => new CallerRateLimiter(loadRelayConfig({ RELAY_RATE_LIMIT_PER_SECOND: '10' }));

  it('lets a caller burst to twice the rate, then refuses it until tokens refill', () => {
    const l = limiter();
    const t = 1_000_000;
    for (let i = 0; i < 20; i++) expect(l.take('10.0.0.1', t)).toBe(true);
    expect(l.take('10.0.0.1', t)).toBe(false);
    expect(l.take('10.0.0.1', t + 100)).toBe(true); // 100 ms at 10/s = one token
    expect(l.take('10.0.0.1', t + 100)).toBe(false);
  });

  it('keeps serving other callers while one is refused', () => {
    const l = limiter();
    for (let i = 0; i < 25; i++) l.take('10.0.0.1', 5);
    expect(l.take('10.0.0.1', 5)).toBe(false);
    expect(l.take('10.0.0.2', 5)).toBe(true);
  });
});
