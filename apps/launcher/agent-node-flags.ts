/**
 * V8 heap bounds of the agent, on its command line wherever it is started (the launcher owns how each
 * app process is started on a machine, so the list lives here and the others read it): the launcher, the test
 * harness (and so the bench), `npm run start:agent` and docker-compose (test/deploy checks those two).
 *
 * Why: the agent's live heap is ~40 MB at 10k connections (heap snapshot: mostly code and module
 * sources), yet after creating them at full speed V8 kept ~280 MB RSS committed. Small semi-spaces and
 * a bounded old space keep it ~135 MB at 10k connections at no measured CPU cost (bench: agent 5.0
 * vs 5.1 CPU ms per CREATE). 160 MB of old space is 4× the live set; raise it if the agent ever holds more.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=160'];

/** Node flags an app is started with (only the agent has any). */
export function nodeFlagsOf(app: string): readonly string[] {
  return app === 'agent' ? AGENT_NODE_FLAGS : [];
}
