/**
 * Why a ChatClient request failed. `code` is the server's ErrorReply code ("rate_limited", "not_member",
 * "invalid_text", …) or one of the SDK's own: "timeout" (no reply within requestTimeoutMs), "disconnected" (the
 * socket went away before the reply), "closed" (close() was called or auth failed), "payload_too_large" (the frame
 * would exceed maxFrameBytes), "bad_reply" (a reply that could not be decoded).
 */
export class ChatClientError extends Error {
  readonly code: string;
  /** For rate_limited: how long to wait before retrying. */
  readonly retryAfterMs: number;
  /** The op of the failed request, when known. */
  readonly requestOp: number;

  constructor(code: string, message: string, options: { retryAfterMs?: number; requestOp?: number } = {}) {
    super(message);
    this.name = "ChatClientError";
    this.code = code;
    this.retryAfterMs = options.retryAfterMs ?? 0;
    this.requestOp = options.requestOp ?? 0;
  }
}

/** Close codes after which reconnecting cannot help (the credentials are bad, expired or revoked), with their codes. */
export const AUTH_CLOSE_CODES: ReadonlyMap<number, string> = new Map([
  [4001, "unauthorized"],
  [4010, "session_revoked"],
]);

/** The error of requests made after the client stopped. */
export function closedError(closeCode: number, closeReason: string): ChatClientError {
  const code = AUTH_CLOSE_CODES.get(closeCode) ?? "closed";
  return new ChatClientError(code, `client closed: ${closeCode} ${closeReason}`.trim());
}
