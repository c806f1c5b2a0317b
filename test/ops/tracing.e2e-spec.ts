import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { eventually } from '../support/eventually';
import { ChatStack, connectContacts, STACK_TIMEOUT_MS, startChatStack } from '../support/chat-stack';
import { TEST_OUTPUT_DIR } from '../support/service-process';
import { OtlpReceiver, ReceivedSpan } from './otlp-receiver';
import { traceWaterfallHtml } from './trace-waterfall';

const ROOT = resolve(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';

/** The CREATE's trace as a page in test-output/ and, with UPDATE_DOCS_IMAGES=1, as docs/img/trace-create.png. */
async function renderTrace(spans: ReceivedSpan[]): Promise<void> {
  const html = join(TEST_OUTPUT_DIR, 'trace-create.html');
  writeFileSync(html, traceWaterfallHtml('One CREATE command: POST /users/:id/invitations', spans));
  if (!process.env.UPDATE_DOCS_IMAGES) return;
  const profile = mkdtempSync(join(tmpdir(), 'gc-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1240, height: 900 } });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${html}`);
    await page.screenshot({ path: join(ROOT, 'docs', 'img', 'trace-create.png'), fullPage: true });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The chat's server span of one API call: its trace is that command's trace. */
function apiSpan(spans: ReceivedSpan[], service: string, method: string, pathEnd: RegExp): ReceivedSpan | undefined {
  return spans.find(
    (s) =>
      s.service === service &&
      s.kind === 2 && // SERVER
      String(s.attributes['http.method'] ?? s.attributes['http.request.method']) === method &&
      pathEnd.test(String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? '')),
  );
}

/**
 * OpenTelemetry by its standard variables (the deployment contract, docs/architecture.md): chat and agent export
 * OTLP/HTTP JSON, the relays OTLP/HTTP protobuf, to a receiver of our own. One contact handshake:
 * the CREATE command (Alice's invitation) and the JOIN command (Bob's acceptance) are each one
 * trace, from the API call through the chat's SQL, the agent-commands job, the agent's relay
 * requests and the relay's handling of them, to the agent-events job the chat continues from.
 */
describe('tracing: one trace per command across chat, agent and relay', () => {
  const receiver = new OtlpReceiver();
  let stack: ChatStack;

  beforeAll(async () => {
    await receiver.start();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    stack = await startChatStack({
      label: 'tracing',
      relays: 1,
      chatEnv: { ...otel, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'chat-under-test' },
      agentEnv: { ...otel, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      relayEnv: { ...otel, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
    });
  }, STACK_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  }, STACK_TIMEOUT_MS);

  it('the CREATE and the JOIN of a contact handshake are each one trace: API span, SQL, both jobs, agent and relay spans', async () => {
    const alice = await stack.api.createUser('Alice');
    const bob = await stack.api.createUser('Bob');
    await connectContacts(stack.api, alice, bob);

    for (const [command, method, path] of [
      ['CREATE', 'POST', /\/invitations$/],
      ['JOIN', 'POST', /\/contacts$/],
    ] as const) {
      const trace = await eventually(
        () => {
          const api = apiSpan(receiver.spans, 'chat-under-test', method, path);
          if (!api) throw new Error(`no chat API span for ${command} yet`);
          const inTrace = receiver.spans.filter((s) => s.traceId === api.traceId);
          const has = (service: string, name: RegExp) => inTrace.some((s) => s.service === service && name.test(s.name));
          const missing = [
            has('chat-under-test', /^pg\.query/) ? null : 'chat SQL',
            has('chat-under-test', /agent-commands/) ? null : 'chat → agent-commands job',
            has('agent', /^process agent-commands/) ? null : 'agent handling the agent-commands job',
            inTrace.some((s) => s.service === 'agent' && s.kind === 3) ? null : 'agent relay request (http client)', // CLIENT
            // The relays export protobuf: the same trace, decoded from the other encoding.
            inTrace.some((s) => s.service === 'relay' && s.protocol === 'http/protobuf' && s.kind === 2) ? null : 'relay server span',
            has('agent', /agent-events/) ? null : 'agent → agent-events job',
            has('chat-under-test', /^process agent-events/) ? null : 'chat continuing from the agent-events job',
          ].filter(Boolean);
          if (missing.length > 0) throw new Error(`${command} trace ${api.traceId} lacks: ${missing.join(', ')}`);
          return inTrace;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `the ${command} command's whole trace` },
      );
      // One trace, not pieces that happen to share an id: every span but the API call has its parent
      // in it, and each relay span's parent is one of the agent's requests (the traceparent it sent).
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      const orphans = trace.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId));
      expect(orphans.map((s) => `${s.service} ${s.name}`)).toEqual([]);
      expect(trace.filter((s) => !s.parentSpanId).map((s) => s.service)).toEqual(['chat-under-test']);
      const relayParents = trace.filter((s) => s.service === 'relay' && s.kind === 2).map((s) => byId.get(s.parentSpanId!));
      expect(relayParents.every((p) => p?.service === 'agent' && p.kind === 3)).toBe(true);
      if (command === 'CREATE') await renderTrace(trace);
    }
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT nothing of OpenTelemetry is loaded', () => {
    const probe = `
      require(${JSON.stringify(join(ROOT, 'dist/libs/observability/src/tracing/start-tracing.js'))}).startTracing('relay', {});
      require(${JSON.stringify(join(ROOT, 'dist/libs/queueing/src/queue-connection.js'))}).bullConnectionOptions({ redisUrl: 'redis://127.0.0.1:6379/0' });
      process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((m) => /@opentelemetry|bullmq-otel/.test(m))));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' })) as string[];
    expect(loaded).toEqual([]);
  });
});
