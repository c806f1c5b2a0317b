import { RetryPolicy } from './retry-policy';

describe('RetryPolicy', () => {
  const settings = { baseMs: 500, factor: 1.5, maxMs: 30_000 };

  it('grows the ceiling exponentially from the base', () => {
    const policy = new RetryPolicy(settings);
    expect(policy.ceilingMs(0)).toBe(500);
    expect(policy.ceilingMs(1)).toBe(750);
    expect(policy.ceilingMs(2)).toBe(1_125);
  });

  it('caps the ceiling at the maximum, even after very many attempts', () => {
    const policy = new RetryPolicy(settings);
    expect(policy.ceilingMs(20)).toBe(30_000);
    expect(policy.ceilingMs(100_000)).toBe(30_000);
  });

  it('draws a full-jitter delay between 0 and the ceiling', () => {
    expect(new RetryPolicy(settings, () => 0).delayMs(5)).toBe(0);
    expect(new RetryPolicy(settings, () => 0.5).delayMs(1)).toBe(375);
    expect(new RetryPolicy(settings, () => 0.999_999).delayMs(50)).toBe(30_000);
    const real = new RetryPolicy(settings);
    for (let attempt = 0; attempt < 30; attempt++) {
      const d = real.delayMs(attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(real.ceilingMs(attempt));
    }
  });
});
