/**
 * Just enough of the protobuf wire format to read an OTLP ExportTraceServiceRequest
 * (opentelemetry-proto trace/v1 and common/v1): resource attributes, and each span's ids, name,
 * kind, times and string attributes. Unknown fields are skipped, as protobuf readers do.
 */

interface Field {
  no: number;
  /** varint and fixed64 as bigint, length-delimited as bytes. */
  value: bigint | Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    result |= BigInt(buf[i] & 0x7f) << shift;
    if ((buf[i] & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new Error('protobuf: truncated varint');
}

function fieldsOf(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, after] = readVarint(buf, at);
      fields.push({ no, value: v });
      at = after;
    } else if (wire === 1) {
      fields.push({ no, value: buf.readBigUInt64LE(at) });
      at += 8;
    } else if (wire === 2) {
      const [len, after] = readVarint(buf, at);
      const end = after + Number(len);
      if (end > buf.length) throw new Error('protobuf: length past the end');
      fields.push({ no, value: buf.subarray(after, end) });
      at = end;
    } else if (wire === 5) {
      at += 4;
    } else {
      throw new Error(`protobuf: wire type ${wire} not expected in OTLP traces`);
    }
  }
  return fields;
}

const bytes = (fields: Field[], no: number): Buffer[] => fields.filter((f) => f.no === no && Buffer.isBuffer(f.value)).map((f) => f.value as Buffer);
const numberOf = (fields: Field[], no: number): bigint | undefined => fields.find((f) => f.no === no && typeof f.value === 'bigint')?.value as bigint | undefined;

/** KeyValue{key=1, value=AnyValue{string_value=1, bool_value=2, int_value=3}}: strings and ints only. */
function attributes(list: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const f = fieldsOf(kv);
    const key = bytes(f, 1)[0]?.toString('utf8');
    const any = bytes(f, 2)[0];
    if (key === undefined || any === undefined) continue;
    const v = fieldsOf(any);
    out[key] = bytes(v, 1)[0]?.toString('utf8') ?? numberOf(v, 3)?.toString();
  }
  return out;
}

export interface DecodedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
}

/** ExportTraceServiceRequest{resource_spans=1: ResourceSpans{resource=1, scope_spans=2: ScopeSpans{spans=2}}}. */
export function decodeTraceExport(body: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of bytes(fieldsOf(body), 1)) {
    const rsFields = fieldsOf(rs);
    const resource = bytes(rsFields, 1)[0];
    const service = String(resource ? (attributes(bytes(fieldsOf(resource), 1))['service.name'] ?? '') : '');
    for (const ss of bytes(rsFields, 2)) {
      for (const span of bytes(fieldsOf(ss), 2)) {
        const f = fieldsOf(span);
        const parent = bytes(f, 4)[0];
        spans.push({
          service,
          traceId: bytes(f, 1)[0]?.toString('hex') ?? '',
          spanId: bytes(f, 2)[0]?.toString('hex') ?? '',
          parentSpanId: parent && parent.length > 0 ? parent.toString('hex') : undefined,
          name: bytes(f, 5)[0]?.toString('utf8') ?? '',
          kind: Number(numberOf(f, 6) ?? 0n),
          startNs: numberOf(f, 7) ?? 0n,
          endNs: numberOf(f, 8) ?? 0n,
          attributes: attributes(bytes(f, 9)),
        });
      }
    }
  }
  return spans;
}
