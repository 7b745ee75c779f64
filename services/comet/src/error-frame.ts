import { isChatError } from "@chatroom/core";
import { encodeFrame, Op } from "@chatroom/proto/protocol";
import { type ConnectionDialect, chatroomDialect, type ErrorInfo } from "./dialect.ts";

/** The OP_ERROR frame answering a failed request (same seq). Errors that are not ChatErrors become `internal`. */
export function errorFrame(
  error: unknown,
  requestOp: number,
  seq: number,
  dialect: ConnectionDialect = chatroomDialect,
): Uint8Array {
  const reply: ErrorInfo = isChatError(error)
    ? { code: error.code, message: error.message, requestOp, retryAfterMs: error.retryAfterMs }
    : { code: "internal", message: "internal error", requestOp, retryAfterMs: 0 };
  return encodeFrame(Op.ERROR, seq, dialect.errorBody(reply));
}
