import { ChatMessage, HistoryRequest, Op } from "@chatroom/proto/protocol";
import type { RawClient } from "./raw-client.ts";

/**
 * The room messages a raw connection received, after flushing its socket: a HISTORY request's reply is written
 * behind every frame the comet queued for the connection before it, so a message the room got earlier (one another
 * member has already seen) would be among these if the connection were still subscribed.
 */
export async function messagesAfterFlush(client: RawClient, roomId: string, probeRoomId: string): Promise<string[]> {
  const seq = client.send(Op.HISTORY, HistoryRequest.encode({ roomId: probeRoomId, beforeSeq: 0, limit: 1 }).finish());
  await client.reply(seq);
  return client.pending
    .filter((frame) => frame.op === Op.MESSAGE)
    .map((frame) => ChatMessage.decode(frame.body))
    .filter((message) => message.roomId === roomId)
    .map((message) => message.text);
}
