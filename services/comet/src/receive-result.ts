import { ChatError } from "@chatroom/core";
import type { ReceiveResponse } from "@chatroom/proto/grpc";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";

/**
 * Applies the subscription and accepts changes of a logic.receive answer to the channel (before its frames).
 * The accepts set is the one piece of per-connection state a client grows at will (OP_SUB), so the comet bounds
 * it: an answer that would take it past `maxAccepts` changes nothing and throws limit_exceeded.
 */
export function applyReceiveResult(
  buckets: Buckets,
  channel: Channel,
  result: ReceiveResponse,
  maxAccepts: number,
): void {
  checkAccepts(channel.accepts, result.acceptsAdd, maxAccepts);
  if (result.replaceRooms) {
    const wanted = new Set(result.joinRooms);
    for (const roomId of [...channel.rooms]) if (!wanted.has(roomId)) buckets.leave(channel, roomId);
    for (const roomId of wanted) buckets.join(channel, roomId);
  } else {
    for (const roomId of result.joinRooms) buckets.join(channel, roomId);
    for (const roomId of result.leaveRooms) buckets.leave(channel, roomId);
  }
  for (const op of result.acceptsAdd) channel.accept(op);
  for (const op of result.acceptsRemove) channel.unaccept(op);
}

/** Throws limit_exceeded when adding `ops` to `accepts` would hold more than `max` operations. */
export function checkAccepts(accepts: ReadonlySet<number>, ops: readonly number[], max: number): void {
  let size = accepts.size;
  const added = new Set<number>();
  for (const op of ops) {
    if (accepts.has(op) || added.has(op)) continue;
    added.add(op);
    size++;
    if (size > max) {
      throw new ChatError(
        "limit_exceeded",
        `a connection accepts at most ${max} push operations (CHATROOM_COMET_MAX_ACCEPTS); OP_UNSUB some first`,
      );
    }
  }
}
