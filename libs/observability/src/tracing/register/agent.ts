// Imported first by apps/agent/src/main.ts, before anything loads http or pg (see start-tracing.ts).
import { startTracing } from '../start-tracing';

startTracing('agent');
