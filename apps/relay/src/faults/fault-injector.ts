import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { Socket } from 'node:net';
import { FaultSettings } from './fault-settings';

export type FaultKind = 'unavailable' | 'reset' | 'stall';
/** What a request met: one of the kinds, or the relay being `down`. */
export type InjectedFault = FaultKind | 'down';
const KINDS: FaultKind[] = ['unavailable', 'reset', 'stall'];

// The admin API and the metrics scrape are the operator's view of a faulty relay, not part of it.
const EXEMPT_PATH = /^\/(admin(\/|$)|metrics\/?$)/;
const STREAM_PATH = /^\/sessions\/stream\/?$/;

/**
 * Express middleware in front of every route but /admin/*: the relay misbehaves as a flaky network
 * and host would (architecture.md "Relay HTTP API"): latency, a dead host (`down`), and for a share
 * of requests a 503 before acting, a reset after acting, or a stall past any client timeout.
 */
@Injectable()
export class FaultInjector {
  /** Sockets of requests in flight (streams included), so `down` can kill them all at once. */
  private readonly inFlight = new Set<Socket>();
  private readonly listeners: Array<(fault: InjectedFault) => void> = [];

  constructor(
    private readonly settings: FaultSettings,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(FaultInjector.name);
    settings.onDown(() => {
      this.logger.info({ kind: 'down', sockets: this.inFlight.size }, 'fault injected: relay down');
      for (const socket of this.inFlight) socket.destroy();
      this.inFlight.clear();
    });
  }

  /** Told of every request a fault was injected into (metrics). */
  onInjected(listener: (fault: InjectedFault) => void): void {
    this.listeners.push(listener);
  }

  private injected(fault: InjectedFault): void {
    for (const listener of this.listeners) listener(fault);
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (EXEMPT_PATH.test(req.path)) return next();
    const socket = req.socket;
    if (this.settings.get().down) {
      this.injected('down');
      socket.destroy();
      return;
    }
    this.inFlight.add(socket);
    res.once('close', () => this.inFlight.delete(socket));
    const { latencyMs } = this.settings.get();
    if (latencyMs > 0) {
      const timer = setTimeout(() => this.afterLatency(req, res, next), latencyMs);
      res.once('close', () => clearTimeout(timer));
    } else {
      this.afterLatency(req, res, next);
    }
  };

  private afterLatency(req: Request, res: Response, next: NextFunction): void {
    if (res.destroyed) return;
    const faults = this.settings.get();
    if (faults.down) {
      this.injected('down');
      req.socket.destroy();
      return;
    }
    if (faults.failureRate <= 0 || Math.random() >= faults.failureRate) return next();
    const kind = KINDS[Math.floor(Math.random() * KINDS.length)];
    const isStream = STREAM_PATH.test(req.path);
    this.injected(isStream ? 'reset' : kind);
    this.logger.info({ kind: isStream ? 'reset' : kind, method: req.method, path: req.path }, 'fault injected');
    if (isStream) {
      // A stream that fails to open looks like a dropped connection, whatever the kind.
      req.socket.destroy();
      return;
    }
    switch (kind) {
      case 'unavailable':
        res.status(503).json({ error: 'fault_injected', message: 'relay unavailable (injected fault)' });
        return;
      case 'reset':
        // The handler runs and its effect is stored; only the answer is lost, so clients must retry idempotently.
        res.end = ((..._args: unknown[]) => {
          req.socket.destroy();
          return res;
        }) as Response['end'];
        return next();
      case 'stall':
        // Never answered; the socket is released when the client gives up (res 'close').
        return;
    }
  }
}
