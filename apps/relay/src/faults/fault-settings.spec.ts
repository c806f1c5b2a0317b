import { FaultSettings, FaultSettingsPatch } from './fault-settings';

describe('FaultSettings', () => {
  it('starts healthy and merges patches field by field', () => {
    const settings = new FaultSettings();
    expect(settings.get()).toEqual({ failureRate: 0, latencyMs: 0, down: false });
    settings.merge({ latencyMs: 20 });
    expect(settings.merge({ failureRate: 0.5 })).toEqual({ failureRate: 0.5, latencyMs: 20, down: false });
  });

  it('signals down only when it turns on', () => {
    const settings = new FaultSettings();
    let downs = 0;
    settings.onDown(() => downs++);
    settings.merge({ down: true });
    settings.merge({ down: true });
    settings.merge({ down: false });
    settings.merge({ down: true });
    expect(downs).toBe(2);
  });

  it('accepts only rates in 0..1, whole non-negative latencies, boolean down, known keys', () => {
    expect(FaultSettingsPatch.safeParse({ failureRate: 1, latencyMs: 0, down: false }).success).toBe(true);
    for (const bad of [{ failureRate: 1.01 }, { latencyMs: -1 }, { latencyMs: 0.5 }, { down: 1 }, { other: true }]) {
      expect(FaultSettingsPatch.safeParse(bad).success).toBe(false);
    }
  });
});
