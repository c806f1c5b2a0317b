import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import { FaultInjector } from '../faults/fault-injector';
import { SessionRegistry } from '../sessions/session-registry';
import { routeTemplate } from './route-template';

/** The relay's Prometheus registry: requests by route and status, faults injected by kind. */
@Injectable()
export class RelayMetrics implements OnModuleInit {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'gc_relay_requests_total',
    help: 'HTTP requests by route template, method and status (dropped: the socket closed with no answer, as injected resets, stalls and `down` do)',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly faults = new Counter({
    name: 'gc_relay_faults_injected_total',
    help: 'Faults injected by kind (unavailable = 503, reset = socket dropped after acting, stall, down)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly batchedOperations = new Counter({
    name: 'gc_relay_batched_operations_total',
    help: 'Operations carried by POST /batch, by operation and the status each got (the request itself is counted in gc_relay_requests_total)',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });

  constructor(
    @Inject(RELAY_CONFIG) config: RelayConfig,
    private readonly moduleRef: ModuleRef,
  ) {
    this.registry.setDefaultLabels({ app: 'relay', relay: config.name });
    collectDefaultMetrics({ register: this.registry });
  }

  onModuleInit(): void {
    this.moduleRef.get(FaultInjector, { strict: false }).onInjected((kind) => this.faults.inc({ kind }));
    const sessions = this.moduleRef.get(SessionRegistry, { strict: false });
    new Gauge({
      name: 'gc_relay_subscribed_queues',
      help: 'Queues subscribed to an open session (what the agents\' ownership must keep equal to the live queues)',
      registers: [this.registry],
      collect() {
        this.set(sessions.subscribedQueues);
      },
    });
  }

  /** Installed in front of the fault injector, so injected failures are counted as clients see them. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const route = routeTemplate(req.method, req.path);
    let counted = false;
    const count = (status: string) => {
      if (counted) return;
      counted = true;
      this.requests.inc({ route, method: req.method, status });
    };
    res.once('finish', () => count(String(res.statusCode)));
    res.once('close', () => count(res.writableFinished ? String(res.statusCode) : 'dropped'));
    next();
  };
}
