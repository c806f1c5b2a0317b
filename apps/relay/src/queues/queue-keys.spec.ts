import { QueueKeys } from './queue-keys';

const rid = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('QueueKeys', () => {
  it('keeps the names of before hash tags on a single Redis, so an upgraded relay finds the queues it holds', () => {
    const k = new QueueKeys('relay-a', { hashTags: false });
    expect([k.queue(rid), k.msgIds(rid), k.order(rid), k.messages(rid), k.gone(rid)]).toEqual([
      `relay:relay-a:q:${rid}`,
      `relay:relay-a:ids:${rid}`,
      `relay:relay-a:order:${rid}`,
      `relay:relay-a:msg:${rid}`,
      `relay:relay-a:gone:${rid}`,
    ]);
  });

  it("on a cluster, tags every key of a queue with its recipient id (one slot) and nothing else with a tag", () => {
    const k = new QueueKeys('relay-a', { hashTags: true });
    for (const key of [k.queue(rid), k.msgIds(rid), k.order(rid), k.messages(rid), k.gone(rid)]) {
      // Redis hashes only what is between the first { and the next }: the recipient id, for each.
      expect(/\{([^}]*)\}/.exec(key)?.[1]).toBe(rid);
      expect(key.startsWith('relay:relay-a:')).toBe(true);
    }
    for (const key of [k.sender(rid), k.caller('h'), k.idempotency('h')]) expect(key).not.toMatch(/[{}]/);
  });
});
