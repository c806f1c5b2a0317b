import { relayOriginOf, validateInvitation, type InvitationCheck } from '@gc/contracts';
import { loadChatConfig } from '../config/chat-config';

let ownOrigins: readonly string[] | undefined;

/** This deployment's own relays as origins (RELAY_URLS, read once from the validated config). */
function ownRelayOrigins(): readonly string[] {
  ownOrigins ??= loadChatConfig().RELAY_URLS.map((u) => relayOriginOf(u)).filter((o): o is string => o !== null);
  return ownOrigins;
}

/**
 * The API's rule: an invitation is checked where it arrives — the API and every protocol message that
 * carries one — before anything is stored or asked of the agent; one that is refused is never
 * fetched. The same check the agent applies before any IO (libs/contracts validateInvitation).
 */
export function checkInvitation(text: string): InvitationCheck {
  return validateInvitation(text, ownRelayOrigins());
}
