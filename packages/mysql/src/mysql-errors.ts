import { ChatError } from "@chatroom/core";

/** Server error numbers the stores react to (the same on MySQL 8 and MariaDB). */
export const ER_DUP_ENTRY = 1062;
export const ER_NO_SUCH_TABLE = 1146;
export const ER_LOCK_WAIT_TIMEOUT = 1205;
export const ER_LOCK_DEADLOCK = 1213;
export const ER_NO_REFERENCED_ROW_2 = 1452;

/**
 * Error codes meaning "the database cannot be reached or will not serve right now": socket errors, mysql2's
 * protocol errors, and server refusals that pass once the server recovers (too many connections, shutting down,
 * killed connection, read-only during a failover).
 */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR",
  "PROTOCOL_ENQUEUE_AFTER_QUIT",
  "ER_CON_COUNT_ERROR",
  "ER_TOO_MANY_USER_CONNECTIONS",
  "ER_SERVER_SHUTDOWN",
  "ER_CONNECTION_KILLED",
  "ER_QUERY_INTERRUPTED",
  "ER_CLIENT_INTERACTION_TIMEOUT",
  "ER_OPTION_PREVENTS_STATEMENT",
  "ER_HOST_IS_BLOCKED",
  "ER_OUT_OF_RESOURCES",
  "ER_CANT_CREATE_THREAD",
]);

/** mysql2 raises these without a code. */
const UNAVAILABLE_MESSAGES = new Set(["Pool is closed.", "Queue limit reached.", "No connections available."]);

interface MysqlErrorFields {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}

function fieldsOf(error: unknown): MysqlErrorFields | undefined {
  return typeof error === "object" && error !== null ? (error as MysqlErrorFields) : undefined;
}

/** The server error number of a mysql2 error (1062…), if it is one. */
export function mysqlErrno(error: unknown): number | undefined {
  const errno = fieldsOf(error)?.errno;
  return typeof errno === "number" ? errno : undefined;
}

/** mysql2's symbolic code ("ER_DUP_ENTRY", "ECONNREFUSED"…), if any. */
export function mysqlErrorCode(error: unknown): string | undefined {
  const code = fieldsOf(error)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A lock conflict that a fresh attempt of the whole transaction may pass. */
export function isRetryableTransactionError(error: unknown): boolean {
  const errno = mysqlErrno(error);
  return errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
}

/** True for an error that means the database is down, unreachable or refusing work for now. */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof ChatError) return error.code === "unavailable";
  const fields = fieldsOf(error);
  if (!fields) return false;
  const code = mysqlErrorCode(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  if (error instanceof Error && UNAVAILABLE_MESSAGES.has(error.message)) return true;
  // mysql2 marks every error after which the connection is unusable (socket gone, handshake failed) as fatal.
  return fields.fatal === true;
}

/**
 * What a store throws for a driver error: ChatError("unavailable") when the database cannot serve (callers answer
 * 503 and may retry), the error itself otherwise (a bug or a constraint the store did not expect → `internal`).
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof ChatError || !isUnavailableError(error)) return error;
  const code = mysqlErrorCode(error);
  return new ChatError("unavailable", `database unavailable${code ? ` (${code})` : ""}`, { cause: error });
}
