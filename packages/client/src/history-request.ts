import { HistoryReply, HistoryRequest } from "@chatroom/proto/protocol";

export interface HistoryOptions {
  /** Messages with seq < beforeSeq (0 or absent: the newest page). */
  beforeSeq?: number;
  /** Messages with seq > afterSeq, oldest first (takes precedence over beforeSeq when set, 0 included). */
  afterSeq?: number;
  /** Page size; the server defaults to 50 and caps at 200. */
  limit?: number;
}

/** Sends one HISTORY request body and resolves with the HISTORY_REPLY body. */
export type HistoryCall = (body: Uint8Array) => Promise<Uint8Array>;

/** One page of history (after_seq is an optional field on the wire: "after 0" means from the beginning). */
export async function fetchHistory(call: HistoryCall, roomId: string, options: HistoryOptions): Promise<HistoryReply> {
  const request: HistoryRequest = {
    roomId,
    beforeSeq: options.beforeSeq ?? 0,
    afterSeq: options.afterSeq,
    limit: options.limit ?? 0,
  };
  return HistoryReply.decode(await call(HistoryRequest.encode(request).finish()));
}
