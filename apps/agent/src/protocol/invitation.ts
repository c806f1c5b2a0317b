import { z } from 'zod';
import { CommandRefusal } from '../retry/command-refusal';

/** What a joiner needs to reach an inviter: the relay and the sender id of the inviter's queue. */
const InvitationBody = z.object({ v: z.literal(1), relay: z.string().url(), senderId: z.string().min(1).max(128) }).strict();
export type InvitationBody = z.infer<typeof InvitationBody>;

export function encodeInvitation(body: InvitationBody): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeInvitation(invitation: string): InvitationBody {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(invitation, 'base64url').toString('utf8'));
  } catch {
    throw new CommandRefusal('INVALID_INVITATION', 'invitation is not base64url JSON');
  }
  const parsed = InvitationBody.safeParse(json);
  if (!parsed.success) {
    throw new CommandRefusal('INVALID_INVITATION', `invitation is malformed: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`);
  }
  return parsed.data;
}
