import { HistoryReply, HistoryRequest } from "@chatroom/proto/protocol";

export interface HistoryOptions {
  /** Messages with seq < beforeSeq (0 or absent: the newest page). */
  beforeSeq?: number;
  /** Messages with seq > afterSeq (takes precedence over beforeSeq when set, 0 included). */
  afterSeq?: number;
  /** Page size; the server defaults to 50 and caps at 200. */
  limit?: number;
}

/** Sends one HISTORY request body and resolves with the HISTORY_REPLY body. */
export type HistoryCall = (body: Uint8Array) => Promise<Uint8Array>;

/**
 * One page of history. after_seq 0 cannot be told from "unset" on the wire (a proto3 scalar), so "after 0" is
 * asked in two steps: "before 2, limit 1" (message 1, which always fits a frame) and then "after 1".
 */
export async function fetchHistory(call: HistoryCall, roomId: string, options: HistoryOptions): Promise<HistoryReply> {
  const limit = options.limit ?? 0;
  if (options.afterSeq !== 0) {
    const request = { roomId, beforeSeq: options.beforeSeq ?? 0, afterSeq: options.afterSeq ?? 0, limit };
    return HistoryReply.decode(await call(HistoryRequest.encode(request).finish()));
  }
  const first = HistoryReply.decode(
    await call(HistoryRequest.encode({ roomId, beforeSeq: 2, afterSeq: 0, limit: 1 }).finish()),
  );
  const head = first.messages.filter((message) => message.seq === 1);
  if (head.length === 0) return { roomId, messages: [], hasMore: false };
  if (limit === 1) return { roomId, messages: head, hasMore: true };
  const rest = HistoryReply.decode(
    await call(HistoryRequest.encode({ roomId, beforeSeq: 0, afterSeq: 1, limit: limit > 1 ? limit - 1 : 0 }).finish()),
  );
  return { roomId, messages: [...head, ...rest.messages], hasMore: rest.hasMore };
}
