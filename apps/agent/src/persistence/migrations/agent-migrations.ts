import { AgentSchema1764100000000 } from './1764100000000-AgentSchema';
import { AgentMembership1764200000000 } from './1764200000000-AgentMembership';
import { RelayTrust1764900000000 } from './1764900000000-RelayTrust';
import { SubscriptionSweeps1764990000000 } from './1764990000000-SubscriptionSweeps';
import { OwnerBuckets1764990000001 } from './1764990000001-OwnerBuckets';

/** Every migration of the agent schema, in order: the app and the store's spec run the same list. */
export const AGENT_MIGRATIONS = [AgentSchema1764100000000, AgentMembership1764200000000, RelayTrust1764900000000, SubscriptionSweeps1764990000000, OwnerBuckets1764990000001];
