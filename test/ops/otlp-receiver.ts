import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { decodeTraceExport, DecodedSpan } from './otlp-protobuf';

/** One span, from either encoding (ids as hex, times in ns since the epoch); `protocol` says which. */
export interface ReceivedSpan extends DecodedSpan {
  protocol: 'http/json' | 'http/protobuf';
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpJsonExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        attributes?: OtlpKeyValue[];
      }>;
    }>;
  }>;
}

const MAX_EXPORT_BYTES = 8 * 1024 * 1024;

function attributesOf(list: OtlpKeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue ?? kv.value.boolValue ?? kv.value.doubleValue]));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_EXPORT_BYTES) req.destroy(new Error('export too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A tiny OTLP/HTTP trace receiver of our own (what a collector or Jaeger would be): POST /v1/traces
 * in JSON or protobuf, decoded into spans. It answers as a collector does (200).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then(
        (body) => {
          if (req.method !== 'POST' || req.url !== '/v1/traces') {
            res.writeHead(404).end();
            return;
          }
          const type = req.headers['content-type'] ?? '';
          if (type.startsWith('application/json')) this.takeJson(JSON.parse(body.toString('utf8')) as OtlpJsonExport);
          else if (type.startsWith('application/x-protobuf')) this.spans.push(...decodeTraceExport(body).map((s) => ({ ...s, protocol: 'http/protobuf' as const })));
          else {
            res.writeHead(415).end();
            return;
          }
          res.writeHead(200, { 'content-type': type }).end(type.startsWith('application/json') ? '{}' : undefined);
        },
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private takeJson(payload: OtlpJsonExport): void {
    for (const rs of payload.resourceSpans ?? []) {
      const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            startNs: BigInt(s.startTimeUnixNano),
            endNs: BigInt(s.endTimeUnixNano),
            attributes: attributesOf(s.attributes),
            protocol: 'http/json',
          });
        }
      }
    }
  }
}
