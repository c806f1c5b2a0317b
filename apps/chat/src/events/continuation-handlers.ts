import { CONTACT_HANDLERS } from '../contacts/contact-flow';
import { GROUP_HANDLERS } from '../groups/group-continuations';
import { onSendRefused } from '../groups/send-refusal';
import { ACK_HANDLERS } from '../inbox/message-receipt';
import type { ContinuationHandlers } from '../outbox/continuation-handler';
import { SEND_HANDLERS } from '../protocol/protocol-sender';
import { commandResumer } from './command-resumer';

/**
 * The one dispatcher's table: every function of the Continuation union, with the handler its own
 * domain wrote (the type makes a missing or misspelt one a compile error).
 */
export const CONTINUATION_HANDLERS: ContinuationHandlers = {
  ...CONTACT_HANDLERS,
  ...GROUP_HANDLERS,
  // A SEND's success is only its claim; its refusal is the group protocol's business.
  SEND_MESSAGE: { ...SEND_HANDLERS.SEND_MESSAGE, fail: onSendRefused },
  ...ACK_HANDLERS,
};

export const resumer = commandResumer(CONTINUATION_HANDLERS);
export const resumeCommand = resumer.resume;
