import { PROTOCOL } from './capacity-assumptions';

/** Groups of about one size: their share of all groups and how much their members write. */
export interface GroupSizeBucket {
  members: number;
  shareOfGroups: number;
  messagesPerMemberPerDay: number;
}

/** A day of a deployment: who is there, how groups change, how the load moves over the day. */
export interface DayShape {
  users: number;
  groups: number;
  buckets: GroupSizeBucket[];
  /** New members per existing membership per day (a membership lasts 1/this days on average). */
  joinsPerMembershipPerDay: number;
  /** Departures per join: 1 keeps groups at their size. */
  departuresPerJoin: number;
  /** New contacts (invitation handshakes) made per join: a member is often a contact already. */
  contactsPerJoin: number;
  /** rate(t) = mean × (1 + a·cos(2π(h−peak)/24) + b·cos(4π(h−peak)/24)), h in UTC hours. */
  diurnal: { amplitude: number; secondHarmonic: number; peakHourUtc: number };
}

/**
 * 1M users, 100k groups of a private messenger: most groups are family and friends (3–5 members,
 * the most active per member), a long tail of communities of hundreds that each member writes to
 * rarely. Mean 12.7 members, so 1.27M memberships: many users are in no group, some in several.
 * Membership churn 2%/day (a membership lasts ~50 days), half the joins need a new contact first.
 * Users in a few neighbouring time zones: an evening peak 1.8× the day's mean, a night trough ~0.5×.
 */
export const DEFAULT_DAY: DayShape = {
  users: 1_000_000,
  groups: 100_000,
  buckets: [
    { members: 4, shareOfGroups: 0.6, messagesPerMemberPerDay: 12 },
    { members: 12, shareOfGroups: 0.25, messagesPerMemberPerDay: 8 },
    { members: 35, shareOfGroups: 0.12, messagesPerMemberPerDay: 4 },
    { members: 75, shareOfGroups: 0.025, messagesPerMemberPerDay: 2 },
    { members: 250, shareOfGroups: 0.005, messagesPerMemberPerDay: 0.5 },
  ],
  joinsPerMembershipPerDay: 0.02,
  departuresPerJoin: 1,
  contactsPerJoin: 0.5,
  diurnal: { amplitude: 0.55, secondHarmonic: 0.25, peakHourUtc: 20 },
};

export const MINUTES_PER_DAY = 24 * 60;

/** The load's multiple of the day's mean at a minute of the day (its mean over a day is 1). */
export function diurnalFactor(shape: DayShape, minuteOfDay: number): number {
  const { amplitude, secondHarmonic, peakHourUtc } = shape.diurnal;
  const phase = (2 * Math.PI * (minuteOfDay / 60 - peakHourUtc)) / 24;
  return 1 + amplitude * Math.cos(phase) + secondHarmonic * Math.cos(2 * phase);
}

/** Per second, in one step of the day, for the groups of one bucket. */
export interface BucketRates {
  members: number;
  joins: number;
  messages: number;
  departures: number;
}

export interface StepLoad {
  minute: number;
  factor: number;
  buckets: BucketRates[];
  contacts: number;
}

/** Daily totals, and what stays stored: pairs and connections of every group at its size. */
export interface DayTotals {
  memberships: number;
  pairs: number;
  connections: number;
  joinsPerDay: number;
  pairsMadePerDay: number;
  messagesPerDay: number;
  deliveriesPerDay: number;
}

export function dayTotals(shape: DayShape): DayTotals {
  let memberships = 0;
  let pairs = 0;
  let pairsMadePerDay = 0;
  let messagesPerDay = 0;
  let deliveriesPerDay = 0;
  for (const b of shape.buckets) {
    const groups = shape.groups * b.shareOfGroups;
    memberships += groups * b.members;
    pairs += (groups * b.members * (b.members - 1)) / 2;
    pairsMadePerDay += groups * b.members * shape.joinsPerMembershipPerDay * b.members;
    const messages = groups * b.members * b.messagesPerMemberPerDay;
    messagesPerDay += messages;
    deliveriesPerDay += messages * (b.members - 1);
  }
  return {
    memberships,
    pairs,
    connections: pairs * PROTOCOL.connectionsPerPair,
    joinsPerDay: memberships * shape.joinsPerMembershipPerDay,
    pairsMadePerDay,
    messagesPerDay,
    deliveriesPerDay,
  };
}

/** The day in steps of `stepMinutes`: each step's rates are the day's means times the curve. */
export function dayLoad(shape: DayShape, stepMinutes = 1): StepLoad[] {
  const steps: StepLoad[] = [];
  for (let minute = 0; minute < MINUTES_PER_DAY; minute += stepMinutes) {
    const factor = diurnalFactor(shape, minute);
    const perSecond = (perDay: number) => (perDay / 86_400) * factor;
    let joins = 0;
    const buckets = shape.buckets.map((b) => {
      const memberships = shape.groups * b.shareOfGroups * b.members;
      const rates = {
        members: b.members,
        joins: perSecond(memberships * shape.joinsPerMembershipPerDay),
        messages: perSecond(memberships * b.messagesPerMemberPerDay),
        departures: perSecond(memberships * shape.joinsPerMembershipPerDay * shape.departuresPerJoin),
      };
      joins += rates.joins;
      return rates;
    });
    steps.push({ minute, factor, buckets, contacts: joins * shape.contactsPerJoin });
  }
  return steps;
}
