/**
 * Typed errors with stable codes. The edges map them: HTTP status + `{error: {code, message}}`,
 * OP_ERROR frames on the WebSocket, gRPC status codes between services.
 */
export type ErrorCode =
  | "bad_request"
  | "invalid_text"
  | "invalid_username"
  | "invalid_password"
  | "invalid_room_id"
  | "unauthorized"
  | "token_expired"
  | "session_revoked"
  | "forbidden"
  | "not_member"
  | "insufficient_role"
  | "banned"
  | "muted"
  | "not_found"
  | "room_not_found"
  | "member_not_found"
  | "message_not_found"
  | "message_deleted"
  | "not_author"
  | "edit_window_closed"
  | "username_taken"
  | "room_exists"
  | "conflict"
  | "payload_too_large"
  | "limit_exceeded"
  | "rate_limited"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_text: 400,
  invalid_username: 400,
  invalid_password: 400,
  invalid_room_id: 400,
  unauthorized: 401,
  token_expired: 401,
  session_revoked: 401,
  forbidden: 403,
  not_member: 403,
  insufficient_role: 403,
  banned: 403,
  muted: 403,
  not_found: 404,
  room_not_found: 404,
  member_not_found: 404,
  message_not_found: 404,
  message_deleted: 409,
  not_author: 403,
  edit_window_closed: 403,
  username_taken: 409,
  room_exists: 409,
  conflict: 409,
  payload_too_large: 413,
  limit_exceeded: 403,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class ChatError extends Error {
  readonly code: ErrorCode;
  /** For rate_limited: how long the caller should wait. */
  readonly retryAfterMs: number;
  constructor(code: ErrorCode, message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ChatError";
    this.code = code;
    this.retryAfterMs = options.retryAfterMs ?? 0;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function isChatError(error: unknown): error is ChatError {
  return error instanceof ChatError;
}

export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Wraps anything thrown into a ChatError; unknown failures become `internal` without leaking details. */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  return new ChatError("internal", "internal error", { cause: error });
}
