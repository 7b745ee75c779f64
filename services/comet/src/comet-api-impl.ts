import type { CometApi } from "@chatroom/core";
import type {
  BroadcastRequest,
  BroadcastResponse,
  BroadcastRoomRequest,
  BroadcastRoomResponse,
  PushMsgRequest,
  PushMsgResponse,
  RoomsResponse,
} from "@chatroom/proto/grpc";
import type { BroadcastPacer } from "./broadcast-pacer.ts";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";
import { encodeProto } from "./encode-proto.ts";
import { applyMembershipChange, membershipChangeOf } from "./membership-event.ts";

/**
 * The comet's push API (goim's comet gRPC server). Every push encodes its frame once and hands the same bytes to
 * each channel; channel writes never wait, so a call returns as soon as the frame is queued everywhere.
 */
/** Calls job made to this comet, by method (shown in /healthz; proves routing sends pushes only where needed). */
export interface PushCounts {
  pushMsg: number;
  broadcast: number;
  broadcastRoom: number;
}

export function createCometApi(options: { buckets: Buckets; pacer: BroadcastPacer; counts: PushCounts }): CometApi {
  const { buckets, pacer, counts } = options;

  return {
    async pushMsg(request: PushMsgRequest): Promise<PushMsgResponse> {
      counts.pushMsg++;
      const frame = encodeProto(request.proto);
      const proto = request.proto!;
      const op = request.protoOp || proto.op;
      const change = membershipChangeOf(proto.op, proto.body);
      const targets = new Set<Channel>();
      for (const key of request.keys) {
        const channel = buckets.channel(key);
        if (channel) targets.add(channel);
      }
      for (const memberId of request.members)
        for (const channel of buckets.channelsOfMember(memberId)) targets.add(channel);
      let delivered = 0;
      for (const channel of targets) {
        if (!channel.needPush(op)) continue;
        // Subscribe before writing, so that the room's next message cannot reach the client before this event.
        applyMembershipChange(buckets, channel, change);
        if (channel.push(frame)) delivered++;
      }
      return { delivered };
    },

    /** speed > 0 paces the writes and answers at once with the number of connections scheduled (as goim does). */
    async broadcast(request: BroadcastRequest): Promise<BroadcastResponse> {
      counts.broadcast++;
      const frame = encodeProto(request.proto);
      const op = request.protoOp || request.proto!.op;
      const targets: Channel[] = [];
      for (const channel of buckets.channels()) if (channel.needPush(op)) targets.push(channel);
      if (request.speed > 0) {
        pacer.start(targets, frame, request.speed);
        return { delivered: targets.length };
      }
      let delivered = 0;
      for (const channel of targets) if (channel.push(frame)) delivered++;
      return { delivered };
    },

    async broadcastRoom(request: BroadcastRoomRequest): Promise<BroadcastRoomResponse> {
      counts.broadcastRoom++;
      const frame = encodeProto(request.proto);
      let delivered = 0;
      for (const bucket of buckets.all) delivered += bucket.rooms.get(request.roomId)?.push(frame) ?? 0;
      return { delivered };
    },

    async rooms(): Promise<RoomsResponse> {
      return { rooms: buckets.roomCounts() };
    },
  };
}
