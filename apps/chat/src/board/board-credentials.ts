import type { ChatConfig } from '../config/chat-config';

/** Used only outside production, so a developer can open the board right after `npm start`. */
export const DEV_BOARD_PASSWORD = 'dev-board-password';

export interface BoardCredentials {
  user: string;
  password: string;
  /** True when BULL_BOARD_PASSWORD was unset and the dev default stands in. */
  devDefault: boolean;
}

export class BoardPasswordMissing extends Error {
  override name = 'BoardPasswordMissing';
}

/**
 * Bull Board can retry, promote and delete jobs, so in production it never runs with a password
 * anyone could guess: the chat refuses to start instead.
 */
export function boardCredentials(config: Pick<ChatConfig, 'BULL_BOARD_USER' | 'BULL_BOARD_PASSWORD'>, nodeEnv = process.env.NODE_ENV): BoardCredentials {
  if (config.BULL_BOARD_PASSWORD) return { user: config.BULL_BOARD_USER, password: config.BULL_BOARD_PASSWORD, devDefault: false };
  if (nodeEnv === 'production') {
    throw new BoardPasswordMissing(
      'invalid chat configuration:\n  BULL_BOARD_PASSWORD: required when NODE_ENV=production (Bull Board at /queues is behind basic auth)',
    );
  }
  return { user: config.BULL_BOARD_USER, password: DEV_BOARD_PASSWORD, devDefault: true };
}
