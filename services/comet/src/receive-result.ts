import type { ReceiveResponse } from "@chatroom/proto/grpc";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";

/** Applies the subscription and accepts changes of a logic.receive answer to the channel (before its frames). */
export function applyReceiveResult(buckets: Buckets, channel: Channel, result: ReceiveResponse): void {
  if (result.replaceRooms) {
    const wanted = new Set(result.joinRooms);
    for (const roomId of [...channel.rooms]) if (!wanted.has(roomId)) buckets.leave(channel, roomId);
    for (const roomId of wanted) buckets.join(channel, roomId);
  } else {
    for (const roomId of result.joinRooms) buckets.join(channel, roomId);
    for (const roomId of result.leaveRooms) buckets.leave(channel, roomId);
  }
  for (const op of result.acceptsAdd) channel.accepts.add(op);
  for (const op of result.acceptsRemove) channel.accepts.delete(op);
}
