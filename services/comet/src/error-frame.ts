import { isChatError } from "@chatroom/core";
import { ErrorReply, encodeFrame, Op } from "@chatroom/proto/protocol";

/** The OP_ERROR frame answering a failed request (same seq). Errors that are not ChatErrors become `internal`. */
export function errorFrame(error: unknown, requestOp: number, seq: number): Uint8Array {
  const reply: ErrorReply = isChatError(error)
    ? { code: error.code, message: error.message, requestOp, retryAfterMs: error.retryAfterMs }
    : { code: "internal", message: "internal error", requestOp, retryAfterMs: 0 };
  return encodeFrame(Op.ERROR, seq, ErrorReply.encode(reply).finish());
}
