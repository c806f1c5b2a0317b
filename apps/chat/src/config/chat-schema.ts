/**
 * The Postgres schema every chat table lives in, written once. Every raw statement names its tables
 * through it (`${CHAT_SCHEMA}.commands`) instead of leaning on `search_path`: a pooler in transaction
 * mode (PgBouncer, docs/operations.md) hands each transaction whichever server session is free, so
 * no session setting can be relied on — and the agent's tables share names with ours (`connections`,
 * `commands`), so an unqualified name could silently hit the wrong one in a shared database.
 */
export const CHAT_SCHEMA = 'chat';
