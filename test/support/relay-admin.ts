/** The admin token the test suites give their relays (RELAY_ADMIN_TOKEN), so any suite can inject faults. */
export const RELAY_TEST_ADMIN_TOKEN = 'test-admin-token';

export interface RelayFaults {
  failureRate?: number;
  latencyMs?: number;
  down?: boolean;
}

/** PUT /admin/faults on a relay (merged with its current faults); resolves to the faults now in force. */
export async function setRelayFaults(
  relayUrl: string,
  token: string,
  faults: RelayFaults,
): Promise<Required<RelayFaults>> {
  const res = await fetch(`${relayUrl}/admin/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-admin-token': token },
    body: JSON.stringify(faults),
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status !== 200) throw new Error(`setRelayFaults ${relayUrl}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Required<RelayFaults>;
}

/** Back to a healthy relay. */
export function clearRelayFaults(relayUrl: string, token: string): Promise<Required<RelayFaults>> {
  return setRelayFaults(relayUrl, token, { failureRate: 0, latencyMs: 0, down: false });
}
