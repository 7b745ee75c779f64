import { Metadata, type ServerErrorResponse, type ServiceError, status } from "@grpc/grpc-js";
import { ChatError, type ErrorCode, toChatError } from "../errors.ts";

/** Trailer metadata that carries the exact ChatError across gRPC (the status message carries its message). */
export const ERROR_CODE_KEY = "chatroom-error-code";
export const RETRY_AFTER_KEY = "chatroom-retry-after-ms";

const STATUS_OF: Record<ErrorCode, status> = {
  bad_request: status.INVALID_ARGUMENT,
  invalid_text: status.INVALID_ARGUMENT,
  invalid_username: status.INVALID_ARGUMENT,
  invalid_password: status.INVALID_ARGUMENT,
  invalid_room_id: status.INVALID_ARGUMENT,
  unauthorized: status.UNAUTHENTICATED,
  token_expired: status.UNAUTHENTICATED,
  session_revoked: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_member: status.PERMISSION_DENIED,
  insufficient_role: status.PERMISSION_DENIED,
  banned: status.PERMISSION_DENIED,
  muted: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  room_not_found: status.NOT_FOUND,
  member_not_found: status.NOT_FOUND,
  message_not_found: status.NOT_FOUND,
  message_deleted: status.FAILED_PRECONDITION,
  not_author: status.PERMISSION_DENIED,
  edit_window_closed: status.PERMISSION_DENIED,
  username_taken: status.ALREADY_EXISTS,
  room_exists: status.ALREADY_EXISTS,
  conflict: status.ALREADY_EXISTS,
  // gRPC itself answers RESOURCE_EXHAUSTED to a message above the size limit: the same meaning.
  payload_too_large: status.RESOURCE_EXHAUSTED,
  limit_exceeded: status.RESOURCE_EXHAUSTED,
  rate_limited: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

const KNOWN_CODES = new Set<string>(Object.keys(STATUS_OF));

/** Best guess for a status that came without our metadata (another server, or grpc-js itself). */
const CODE_OF_BARE_STATUS: Partial<Record<status, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: "bad_request",
  [status.UNAUTHENTICATED]: "unauthorized",
  [status.PERMISSION_DENIED]: "forbidden",
  [status.NOT_FOUND]: "not_found",
  [status.ALREADY_EXISTS]: "conflict",
  [status.RESOURCE_EXHAUSTED]: "payload_too_large",
  // Transport failures: the peer is down, unreachable, too slow, or went away mid-call.
  [status.UNAVAILABLE]: "unavailable",
  [status.DEADLINE_EXCEEDED]: "unavailable",
  [status.CANCELLED]: "unavailable",
};

export function grpcStatusOf(code: ErrorCode): status {
  return STATUS_OF[code];
}

/**
 * The status a server handler answers for a failure. Anything that is not a ChatError becomes `internal` with a
 * generic message (the cause stays in the server's log, never on the wire).
 */
export function toGrpcError(error: unknown): ServerErrorResponse {
  const chatError = toChatError(error);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, chatError.code);
  if (chatError.retryAfterMs > 0) metadata.set(RETRY_AFTER_KEY, String(Math.ceil(chatError.retryAfterMs)));
  return Object.assign(new Error(chatError.message), {
    code: STATUS_OF[chatError.code],
    details: chatError.message,
    metadata,
  });
}

/**
 * Rebuilds the ChatError a server sent (same code, message and retryAfterMs). A status without our metadata is a
 * transport failure or a foreign server: UNAVAILABLE, DEADLINE_EXCEEDED and CANCELLED become `unavailable`
 * naming `peer` (e.g. "logic at 10.0.0.7:3119"), the rest the closest code.
 */
export function fromGrpcError(error: unknown, peer: string): ChatError {
  if (error instanceof ChatError) return error;
  if (!isServiceError(error)) return new ChatError("internal", `${peer} call failed`, { cause: error });
  const sent = firstString(error.metadata, ERROR_CODE_KEY);
  if (sent !== undefined && KNOWN_CODES.has(sent)) {
    const retryAfterMs = Number(firstString(error.metadata, RETRY_AFTER_KEY) ?? 0);
    return new ChatError(sent as ErrorCode, error.details, {
      retryAfterMs: Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 0,
      cause: error,
    });
  }
  const code = CODE_OF_BARE_STATUS[error.code as status] ?? "internal";
  const what = code === "unavailable" ? `${peer} is unavailable` : `${peer} call failed`;
  return new ChatError(code, `${what}: ${error.details || status[error.code] || "unknown error"}`, { cause: error });
}

/**
 * True for a failure of the connection rather than an answer of our server — the peer refused the connection or
 * went away mid-call (UNAVAILABLE), or its server cut the call while shutting down (CANCELLED; our clients never
 * cancel their own calls) — which a caller may retry on another peer. DEADLINE_EXCEEDED is not: the time is spent.
 */
export function isTransportFailure(error: unknown): boolean {
  return (
    isServiceError(error) &&
    (error.code === status.UNAVAILABLE || error.code === status.CANCELLED) &&
    firstString(error.metadata, ERROR_CODE_KEY) === undefined
  );
}

function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === "number" &&
    typeof (error as Partial<ServiceError>).metadata?.get === "function"
  );
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" ? value : undefined;
}
