import { ChatError, parseDirectRoomId, type Room } from "@chatroom/core";
import type { ChatMessage } from "@chatroom/proto/protocol";
import type { Publisher } from "./publisher.ts";

/**
 * Publishes a stored message or edit/delete event (OP_MESSAGE): to the room's subscribers, or for a direct
 * conversation to its two members' connections.
 */
export async function publishStored(
  publisher: Publisher,
  message: ChatMessage,
  room: Pick<Room, "id" | "kind">,
): Promise<void> {
  if (room.kind === "direct") {
    const pair = parseDirectRoomId(room.id);
    if (!pair) throw new ChatError("internal", `direct room ${room.id} has no member pair in its id`);
    await publisher.directMessage(message, pair);
  } else {
    await publisher.roomMessage(message);
  }
}
