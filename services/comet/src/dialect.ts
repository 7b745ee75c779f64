import type { ConnectRequest, ConnectResponse, ReceiveRequest } from "@chatroom/proto/grpc";
import { ErrorReply, HeartbeatReply } from "@chatroom/proto/protocol";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";
import type { OnlineCounts } from "./online-counts.ts";

/** What an OP_ERROR frame tells the client. */
export interface ErrorInfo {
  code: string;
  message: string;
  requestOp: number;
  retryAfterMs: number;
}

/**
 * How the connections of one listener path speak: chatroom's protobuf bodies (`/ws`) or goim's (`/sub`,
 * goim/goim-dialect.ts). The connection handler is the same; only the bodies the comet writes itself differ.
 */
export interface ConnectionDialect {
  readonly name: "chatroom" | "goim";
  /** What connect() tells logic, which reads the OP_AUTH body accordingly. */
  readonly connect: Pick<ConnectRequest, "dialect" | "trusted">;
  /** What heartbeat() and receive() tell logic (nothing for chatroom's own dialect). */
  readonly requests: Pick<ReceiveRequest, "dialect">;
  /** The OP_AUTH_REPLY body. */
  authReply(response: ConnectResponse): Uint8Array;
  /** The OP_HEARTBEAT_REPLY body. */
  heartbeatReply(channel: Channel, counts: { online: OnlineCounts; buckets: Buckets }): Uint8Array;
  /** The OP_ERROR body. */
  errorBody(error: ErrorInfo): Uint8Array;
}

export const chatroomDialect: ConnectionDialect = {
  name: "chatroom",
  connect: {},
  requests: {},
  authReply: (response) => response.authReply,
  heartbeatReply(channel, { online }) {
    // Only rooms with a known count: a zero for a room not renewed yet would overwrite the AuthReply's count.
    const counts: Array<{ roomId: string; count: number }> = [];
    for (const roomId of channel.rooms) {
      const count = online.get(roomId);
      if (count !== undefined) counts.push({ roomId, count });
    }
    return HeartbeatReply.encode({ online: counts }).finish();
  },
  errorBody: (error) => ErrorReply.encode(error).finish(),
};
