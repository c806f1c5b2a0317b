import { ReceivedSpan } from './otlp-receiver';

const COLOURS: Record<string, string> = { chat: '#3b82f6', agent: '#f59e0b', relay: '#10b981' };
const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Spans of one trace in tree order (parents before children, siblings by start time), with their depth. */
function tree(spans: ReceivedSpan[]): { span: ReceivedSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, ReceivedSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const out: { span: ReceivedSpan; depth: number }[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => Number(a.startNs - b.startNs))) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

/**
 * One trace as a waterfall page, the way Jaeger's timeline shows it: a row per span, indented under
 * its parent, a bar from its start to its end on a shared time axis, coloured by service.
 */
export function traceWaterfallHtml(title: string, spans: ReceivedSpan[]): string {
  const start = spans.reduce((m, s) => (s.startNs < m ? s.startNs : m), spans[0].startNs);
  const end = spans.reduce((m, s) => (s.endNs > m ? s.endNs : m), spans[0].endNs);
  const total = Number(end - start) || 1;
  const rows = tree(spans)
    .map(({ span, depth }) => {
      const service = span.service.startsWith('chat') ? 'chat' : span.service;
      const left = (Number(span.startNs - start) / total) * 100;
      const width = Math.max((Number(span.endNs - span.startNs) / total) * 100, 0.3);
      const ms = (Number(span.endNs - span.startNs) / 1e6).toFixed(1);
      const label = span.name;
      return `<tr><td class="svc" style="color:${COLOURS[service] ?? '#666'}">${escape(span.service)}</td>
        <td class="name" style="padding-left:${8 + depth * 14}px">${escape(label)} <span class="kind">${KINDS[span.kind] ?? ''}</span></td>
        <td class="bar"><div style="left:${left}%;width:${width}%;background:${COLOURS[service] ?? '#999'}"></div><span style="${left + width > 88 ? `right:${100 - left}%;padding-right:6px` : `left:${left + width}%`}">${ms} ms</span></td></tr>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body { font: 13px/1.3 system-ui, sans-serif; margin: 16px; color: #222; }
    h1 { font-size: 16px; margin: 0 0 4px; } p { margin: 0 0 12px; color: #555; }
    table { border-collapse: collapse; width: 1200px; table-layout: fixed; }
    td { border-bottom: 1px solid #eee; padding: 3px 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    td.svc { width: 130px; font-weight: 600; } td.name { width: 430px; } .kind { color: #999; font-size: 11px; }
    td.bar { position: relative; } td.bar div { position: absolute; top: 5px; height: 12px; border-radius: 2px; }
    td.bar span { position: absolute; top: 3px; padding-left: 6px; font-size: 11px; color: #555; }
  </style></head><body><h1>${escape(title)}</h1>
  <p>${spans.length} spans, ${(total / 1e6).toFixed(1)} ms, trace ${escape(spans[0].traceId)} — chat, agent and relay, as our OTLP receiver got them</p>
  <table>${rows}</table></body></html>`;
}
