import { ConnectionStage } from './connection.entity';

// Events arrive at least once and reordered; a stage only ever moves forward.
const RANK: Record<ConnectionStage, number> = {
  creating: 0,
  joining: 0,
  invited: 1,
  joined: 1,
  confirmed: 2,
  allowed: 3,
  connected: 4,
  failed: 5,
};

export function advances(from: ConnectionStage, to: ConnectionStage): boolean {
  if (from === 'failed' || from === 'connected') return false;
  return RANK[to] > RANK[from];
}

/** The stages a connection may move on from to `to` (advances), for a statement that checks it in SQL. */
export function stagesAdvancingTo(to: ConnectionStage): ConnectionStage[] {
  return (Object.keys(RANK) as ConnectionStage[]).filter((from) => advances(from, to));
}
