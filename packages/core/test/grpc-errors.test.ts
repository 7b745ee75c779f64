import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatError, type ErrorCode, httpStatusOf } from "@chatroom/core";
import { fromGrpcError, grpcStatusOf, toGrpcError } from "@chatroom/core/grpc";
import { status } from "@grpc/grpc-js";

describe("the room moderation and message edit error codes at the edges", () => {
  const cases: Array<[ErrorCode, number, status]> = [
    ["insufficient_role", 403, status.PERMISSION_DENIED],
    ["banned", 403, status.PERMISSION_DENIED],
    ["muted", 403, status.PERMISSION_DENIED],
    ["message_not_found", 404, status.NOT_FOUND],
    ["not_author", 403, status.PERMISSION_DENIED],
    ["edit_window_closed", 403, status.PERMISSION_DENIED],
    ["message_deleted", 409, status.FAILED_PRECONDITION],
  ];
  for (const [code, http, grpc] of cases) {
    it(`${code}: HTTP ${http}, gRPC ${status[grpc]}, and back across gRPC unchanged`, () => {
      assert.equal(httpStatusOf(code), http);
      assert.equal(grpcStatusOf(code), grpc);
      const sent = new ChatError(code, `refused: ${code}`, { retryAfterMs: 1234 });
      const back = fromGrpcError(toGrpcError(sent), "logic at test");
      assert.deepEqual([back.code, back.message, back.retryAfterMs], [code, `refused: ${code}`, 1234]);
    });
  }
});
