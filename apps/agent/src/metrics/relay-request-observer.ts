import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import diagnostics from 'node:diagnostics_channel';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { AgentMetrics } from './agent-metrics';

interface UndiciRequest {
  origin: string | URL;
  method: string;
}

/**
 * Times relay requests from undici's diagnostics channels (the global fetch the RelayClient uses),
 * so the client needs no timing code. Only requests to the configured relays are counted.
 */
@Injectable()
export class RelayRequestObserver implements OnModuleInit, OnModuleDestroy {
  private readonly started = new WeakMap<object, bigint>();
  private readonly relays: Map<string, string>;

  private readonly onCreate = ({ request }: { request: UndiciRequest }) => {
    if (this.relays.has(String(request.origin))) this.started.set(request, process.hrtime.bigint());
  };
  private readonly onHeaders = ({ request, response }: { request: UndiciRequest; response: { statusCode: number } }) =>
    this.observe(request, String(response.statusCode));
  private readonly onError = ({ request }: { request: UndiciRequest }) => this.observe(request, 'error');

  constructor(
    @Inject(AGENT_CONFIG) config: AgentConfig,
    private readonly metrics: AgentMetrics,
  ) {
    // Label with the relay URL as configured (the same string the retry logs carry).
    this.relays = new Map(config.RELAY_URLS.map((url) => [new URL(url).origin, url]));
  }

  onModuleInit(): void {
    diagnostics.subscribe('undici:request:create', this.onCreate as (m: unknown) => void);
    diagnostics.subscribe('undici:request:headers', this.onHeaders as (m: unknown) => void);
    diagnostics.subscribe('undici:request:error', this.onError as (m: unknown) => void);
  }

  onModuleDestroy(): void {
    diagnostics.unsubscribe('undici:request:create', this.onCreate as (m: unknown) => void);
    diagnostics.unsubscribe('undici:request:headers', this.onHeaders as (m: unknown) => void);
    diagnostics.unsubscribe('undici:request:error', this.onError as (m: unknown) => void);
  }

  /** Once per request: an error after the headers (a stream closed later) is not a second sample. */
  private observe(request: UndiciRequest, status: string): void {
    const start = this.started.get(request);
    if (start === undefined) return;
    this.started.delete(request);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    this.metrics.relayRequests.observe({ relay: this.relays.get(String(request.origin))!, method: request.method, status }, seconds);
  }
}
