import { ChatError, type CometApi } from "@chatroom/core";
import type {
  BroadcastRequest,
  BroadcastResponse,
  BroadcastRoomRequest,
  BroadcastRoomResponse,
  Proto,
  PushMsgRequest,
  PushMsgResponse,
  RoomsResponse,
} from "@chatroom/proto/grpc";
import type { BroadcastPacer } from "./broadcast-pacer.ts";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";
import { applySubscriptions, closeIfAsked, hasControl } from "./connection-control.ts";
import { encodeProto } from "./encode-proto.ts";
import type { CometMetrics } from "./metrics/comet-metrics.ts";
import type { OnlineCounts } from "./online-counts.ts";
import { PushFrame } from "./push-frame.ts";

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

export function createCometApi(options: {
  buckets: Buckets;
  online: OnlineCounts;
  pacer: BroadcastPacer;
  counts: PushCounts;
  metrics?: CometMetrics;
}): CometApi {
  const { buckets, online, pacer, counts, metrics } = options;
  /** Records one frame written to `delivered` of `attempted` connections. */
  const record = (frame: Uint8Array, proto: Proto, delivered: number, attempted: number): void => {
    if (!metrics) return;
    metrics.sent(proto.op, frame.length, delivered, attempted);
    metrics.pushed(proto.op, proto.body, delivered);
  };

  return {
    async pushMsg(request: PushMsgRequest): Promise<PushMsgResponse> {
      counts.pushMsg++;
      metrics?.pushReceived("push_msg");
      const { proto, control } = request;
      if (!proto && !hasControl(control)) throw new ChatError("bad_request", "a push needs a frame or a control");
      const frame = proto ? new PushFrame(encodeProto(proto), proto.op) : undefined;
      const op = request.protoOp || proto?.op || 0;
      const targets = new Set<Channel>();
      for (const key of request.keys) {
        const channel = buckets.channel(key);
        if (channel) targets.add(channel);
      }
      for (const memberId of request.members)
        for (const channel of buckets.channelsOfMember(memberId)) targets.add(channel);
      let delivered = 0;
      let attempted = 0;
      for (const channel of targets) {
        // A control reaches every targeted connection; a frame only those that accept its op.
        applySubscriptions(buckets, channel, control);
        if (frame && channel.needPush(op)) {
          attempted++;
          if (channel.deliver(frame)) delivered++;
        }
        closeIfAsked(channel, control);
      }
      if (frame && proto) record(frame.bytes, proto, delivered, attempted);
      return { delivered };
    },

    /** speed > 0 paces the writes and answers at once with the number of connections scheduled (as goim does). */
    async broadcast(request: BroadcastRequest): Promise<BroadcastResponse> {
      counts.broadcast++;
      metrics?.pushReceived("broadcast");
      const proto = request.proto!;
      const frame = new PushFrame(encodeProto(proto), proto.op);
      const op = request.protoOp || proto.op;
      const targets: Channel[] = [];
      for (const channel of buckets.channels()) if (channel.needPush(op)) targets.push(channel);
      if (request.speed > 0) {
        pacer.start(targets, frame, request.speed, (delivered, attempted) =>
          record(frame.bytes, proto, delivered, attempted),
        );
        return { delivered: targets.length };
      }
      let delivered = 0;
      for (const channel of targets) if (channel.deliver(frame)) delivered++;
      record(frame.bytes, proto, delivered, targets.length);
      return { delivered };
    },

    async broadcastRoom(request: BroadcastRoomRequest): Promise<BroadcastRoomResponse> {
      counts.broadcastRoom++;
      metrics?.pushReceived("broadcast_room");
      const frame = new PushFrame(encodeProto(request.proto), request.proto!.op);
      if (request.online !== undefined) online.set(request.roomId, request.online);
      let delivered = 0;
      let attempted = 0;
      for (const bucket of buckets.all) {
        const room = bucket.rooms.get(request.roomId);
        if (!room) continue;
        attempted += room.size;
        delivered += room.push(frame);
      }
      record(frame.bytes, request.proto!, delivered, attempted);
      return { delivered };
    },

    async rooms(): Promise<RoomsResponse> {
      return { rooms: buckets.roomCounts() };
    },
  };
}
