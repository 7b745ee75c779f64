import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChatMessage, HistoryReply, HistoryRequest } from "@chatroom/proto/protocol";
import { fetchHistory } from "../src/history-request.ts";

function msg(seq: number): ChatMessage {
  return {
    id: `m${seq}`,
    roomId: "lobby",
    seq,
    senderId: 1,
    senderName: "ann",
    text: `t${seq}`,
    sentAtMs: seq,
    clientMsgId: `c${seq}`,
    roomKind: 1,
  };
}

/** A server of `count` messages that answers like logic: after_seq present pages forward, else newest before before_seq. */
function server(count: number) {
  const requests: HistoryRequest[] = [];
  const call = async (body: Uint8Array) => {
    const request = HistoryRequest.decode(body);
    requests.push(request);
    const limit = request.limit > 0 ? request.limit : 50;
    const all = Array.from({ length: count }, (_, i) => msg(i + 1));
    let page: ChatMessage[];
    let hasMore: boolean;
    const afterSeq = request.afterSeq;
    if (afterSeq !== undefined) {
      const after = all.filter((m) => m.seq > afterSeq);
      page = after.slice(0, limit);
      hasMore = after.length > limit;
    } else {
      const before = all.filter((m) => request.beforeSeq === 0 || m.seq < request.beforeSeq);
      page = before.slice(-limit);
      hasMore = before.length > limit;
    }
    return HistoryReply.encode({ roomId: request.roomId, messages: page, hasMore }).finish();
  };
  return { call, requests };
}

describe("fetchHistory", () => {
  it("passes before_seq, after_seq and limit through as given", async () => {
    const { call, requests } = server(10);
    const reply = await fetchHistory(call, "lobby", { beforeSeq: 8, limit: 3 });
    assert.deepEqual(
      reply.messages.map((m) => m.seq),
      [5, 6, 7],
    );
    assert.equal(reply.hasMore, true);
    assert.deepEqual(requests, [{ roomId: "lobby", beforeSeq: 8, afterSeq: undefined, limit: 3 }]);
  });

  it("reads from the start when asked for after_seq 0 (an optional field: present and 0)", async () => {
    const { call, requests } = server(10);
    const reply = await fetchHistory(call, "lobby", { afterSeq: 0, limit: 4 });
    assert.deepEqual(
      reply.messages.map((m) => m.seq),
      [1, 2, 3, 4],
    );
    assert.equal(reply.hasMore, true);
    assert.deepEqual(requests, [{ roomId: "lobby", beforeSeq: 0, afterSeq: 0, limit: 4 }]);
  });

  it("reports no more messages when a room read from the start is short", async () => {
    const { call } = server(2);
    const reply = await fetchHistory(call, "lobby", { afterSeq: 0, limit: 50 });
    assert.deepEqual(
      reply.messages.map((m) => m.seq),
      [1, 2],
    );
    assert.equal(reply.hasMore, false);
  });

  it("answers an empty page for an empty room read from the start", async () => {
    const { call, requests } = server(0);
    const reply = await fetchHistory(call, "lobby", { afterSeq: 0 });
    assert.deepEqual(reply, { roomId: "lobby", messages: [], hasMore: false });
    assert.equal(requests.length, 1);
  });
});
