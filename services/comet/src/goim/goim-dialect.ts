import { Dialect } from "@chatroom/proto/grpc";
import type { ConnectionDialect } from "../dialect.ts";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/**
 * goim's dialect (docs/goim-compat.md): OP_AUTH_REPLY has an empty body, OP_HEARTBEAT_REPLY carries the online
 * count of the connection's goim room as a 4-byte big-endian int32 (goim's WriteWebsocketHeart), and OP_ERROR —
 * which goim does not have — carries JSON text that goim's client.js shows as it shows any unknown op's body.
 * `trusted`: the listener's policy (CHATROOM_COMET_GOIM_AUTH=trust), passed to logic with every connect.
 */
export function goimDialect(trusted: boolean): ConnectionDialect {
  return {
    name: "goim",
    connect: { dialect: Dialect.DIALECT_GOIM, trusted },
    requests: { dialect: Dialect.DIALECT_GOIM },
    authReply: () => EMPTY,
    heartbeatReply(channel, { online, buckets }) {
      // goim's Room.OnlineNum: the cluster-wide count once renewed, else this comet's own connections in the room.
      let count = 0;
      for (const roomId of channel.rooms) count = online.get(roomId) ?? buckets.localCount(roomId);
      const body = new Uint8Array(4);
      new DataView(body.buffer).setInt32(0, Math.min(count, 2 ** 31 - 1));
      return body;
    },
    errorBody: (error) =>
      encoder.encode(
        JSON.stringify({
          code: error.code,
          message: error.message,
          request_op: error.requestOp,
          retry_after_ms: error.retryAfterMs,
        }),
      ),
  };
}
