import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { z } from 'zod';

export const MAX_LATENCY_MS = 600_000;

export const FaultSettingsPatch = z.strictObject({
  failureRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS).optional(),
  down: z.boolean().optional(),
});
export type FaultSettingsPatch = z.infer<typeof FaultSettingsPatch>;

export interface Faults {
  failureRate: number;
  latencyMs: number;
  down: boolean;
}

/** The faults this relay process injects now (memory only: a restarted relay starts healthy). */
@Injectable()
export class FaultSettings {
  private current: Faults = { failureRate: 0, latencyMs: 0, down: false };
  private readonly emitter = new EventEmitter();

  get(): Faults {
    return { ...this.current };
  }

  merge(patch: FaultSettingsPatch): Faults {
    const wasDown = this.current.down;
    this.current = { ...this.current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    if (this.current.down && !wasDown) this.emitter.emit('down');
    return this.get();
  }

  onDown(listener: () => void): void {
    this.emitter.on('down', listener);
  }
}
