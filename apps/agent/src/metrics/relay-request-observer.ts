import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { HEDGE_CHANNEL, HedgeEvent } from '../relay/http-exchange';
import { BATCH_CHANNEL, BatchEvent } from '../relay/relay-batcher';
import { AgentMetrics } from './agent-metrics';

interface UndiciRequest {
  origin: string | URL;
  method: string;
}

type Listener = (message: unknown) => void;

/**
 * Times relay requests from Node's diagnostics channels, so the client needs no timing code: the
 * `http.client.*` ones for the RelayClient's requests (node:http) and undici's for what still uses
 * fetch (the SSE stream, health probes). Only requests to the configured relays are counted.
 * Hedges (a request sent again after RELAY_HEDGE_MS) come from the exchange's own channel, the
 * operations per request (RelayBatcher) from the batcher's.
 */
@Injectable()
export class RelayRequestObserver implements OnModuleInit, OnModuleDestroy {
  private readonly started = new WeakMap<object, { relay: string; method: string; at: bigint }>();
  private readonly relays: Map<string, string>;
  private readonly configured: Set<string>;
  private readonly listeners: Array<[string, Listener]>;

  constructor(
    @Inject(AGENT_CONFIG) config: AgentConfig,
    private readonly metrics: AgentMetrics,
  ) {
    // Label with the relay URL as configured (the same string the retry logs carry).
    this.relays = new Map(config.RELAY_URLS.map((url) => [new URL(url).origin, url]));
    this.configured = new Set(this.relays.values());
    type HttpStart = { request: ClientRequest };
    type UndiciStart = { request: UndiciRequest };
    type Answer = { request: object; response: { statusCode: number } };
    type Failure = { request: object };
    const answered = (m: unknown) => this.observe((m as Answer).request, String((m as Answer).response.statusCode));
    const failed = (m: unknown) => this.observe((m as Failure).request, 'error');
    this.listeners = [
      ['http.client.request.start', (m) => {
        const { request } = m as HttpStart;
        this.start(request, `${request.protocol}//${String(request.getHeader('host'))}`, request.method);
      }],
      ['http.client.response.finish', answered],
      ['http.client.request.error', failed],
      ['undici:request:create', (m) => {
        const { request } = m as UndiciStart;
        this.start(request, String(request.origin), request.method);
      }],
      ['undici:request:headers', answered],
      ['undici:request:error', failed],
      [HEDGE_CHANNEL, (m) => this.hedge(m as HedgeEvent)],
      [BATCH_CHANNEL, (m) => this.batch(m as BatchEvent)],
    ];
  }

  onModuleInit(): void {
    for (const [channel, listener] of this.listeners) diagnostics.subscribe(channel, listener);
  }

  onModuleDestroy(): void {
    for (const [channel, listener] of this.listeners) diagnostics.unsubscribe(channel, listener);
  }

  private start(request: object, origin: string, method: string): void {
    const relay = this.relays.get(origin);
    if (relay) this.started.set(request, { relay, method, at: process.hrtime.bigint() });
  }

  private hedge({ url, outcome }: HedgeEvent): void {
    const relay = this.relays.get(new URL(url).origin);
    if (relay === undefined) return;
    (outcome === 'sent' ? this.metrics.relayHedgesSent : this.metrics.relayHedgesWon).inc({ relay });
  }

  private batch({ relay, operations }: BatchEvent): void {
    // Configured relays only, as for the other relay metrics (a peer's relay is no label value).
    if (this.configured.has(relay)) this.metrics.relayBatchOperations.observe({ relay }, operations);
  }

  /** Once per request: an error after the headers (a stream closed later) is not a second sample. */
  private observe(request: object, status: string): void {
    const start = this.started.get(request);
    if (start === undefined) return;
    this.started.delete(request);
    const seconds = Number(process.hrtime.bigint() - start.at) / 1e9;
    this.metrics.relayRequests.observe({ relay: start.relay, method: start.method, status }, seconds);
  }
}
