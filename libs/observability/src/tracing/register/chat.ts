// Imported first by apps/chat/src/main.ts, before anything loads http or pg (see start-tracing.ts).
import { startTracing } from '../start-tracing';

startTracing('chat');
