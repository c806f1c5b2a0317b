/** contract: chat → agent. Job name = command type, job id = corrId (a re-enqueue is deduplicated). */
export const AGENT_COMMANDS_QUEUE = 'agent-commands';
/** contract: agent → chat. Job name = event type, job id = eventId (unique per event). */
export const AGENT_EVENTS_QUEUE = 'agent-events';
/** contract: default BullMQ prefix; the braces are a Redis Cluster hash tag, so all keys share a slot. */
export const DEFAULT_QUEUE_PREFIX = '{gc}';
