import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One span as an OTLP/JSON export carries it (ids are hex strings there). */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** One OTLP/HTTP protobuf export, kept as bytes: the test looks for ids and names in it. */
export interface ReceivedProtobufExport {
  body: Buffer;
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
    scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpKeyValue[] }> }>;
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
 * in JSON is decoded into spans; protobuf is kept as bytes. It answers as a collector does (200).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly protobufExports: ReceivedProtobufExport[] = [];
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
          else if (type.startsWith('application/x-protobuf')) this.protobufExports.push({ body });
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

  /** Whether some protobuf export carries this trace id (16 raw bytes) and this text (a service name). */
  protobufHas(traceId: string, text: string): boolean {
    const id = Buffer.from(traceId, 'hex');
    return this.protobufExports.some((e) => e.body.includes(id) && e.body.includes(Buffer.from(text, 'utf8')));
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
            attributes: attributesOf(s.attributes),
          });
        }
      }
    }
  }
}
