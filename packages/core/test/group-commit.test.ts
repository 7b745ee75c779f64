import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AppendBatch,
  type AppendResult,
  GroupCommitQueue,
  isChatError,
  type NewMessage,
  type Pending,
  type PendingAppend,
  storedAt,
} from "@chatroom/core";

/** A queue whose writer records its batches and resolves each item with its double, after `hold` when given. */
function recordingQueue(options: { maxItems?: number; maxBytes?: number } = {}) {
  const batches: number[][] = [];
  let hold: Promise<void> | null = null;
  const queue = new GroupCommitQueue<number, number>(
    async (batch: Pending<number, number>[]) => {
      batches.push(batch.map((pending) => pending.item));
      if (hold) await hold;
      for (const pending of batch) pending.resolve(pending.item * 2);
    },
    { maxItems: options.maxItems ?? 100, ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) },
  );
  return {
    queue,
    batches,
    holdWrites(): () => void {
      let release = () => {};
      hold = new Promise((resolve) => {
        release = () => {
          hold = null;
          resolve();
        };
      });
      return release;
    },
  };
}

describe("GroupCommitQueue", () => {
  it("writes the items submitted in one turn as one batch, and those submitted during a write as the next", async () => {
    const { queue, batches, holdWrites } = recordingQueue();
    const release = holdWrites();
    const first = [1, 2, 3].map((n) => queue.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [[1, 2, 3]]);
    const second = [4, 5].map((n) => queue.submit(n));
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(batches, [[1, 2, 3]], "no second batch while the first is being written");
    assert.equal(queue.waiting, 2);
    release();
    assert.deepEqual(await Promise.all([...first, ...second]), [2, 4, 6, 8, 10]);
    assert.deepEqual(batches, [
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("cuts batches at maxItems and maxBytes, a batch holding at least one item whatever its size", async () => {
    const byCount = recordingQueue({ maxItems: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => byCount.queue.submit(n)));
    assert.deepEqual(byCount.batches, [[1, 2], [3, 4], [5]]);
    const byBytes = recordingQueue({ maxBytes: 10 });
    await Promise.all([
      byBytes.queue.submit(1, 4),
      byBytes.queue.submit(2, 4),
      byBytes.queue.submit(3, 4),
      byBytes.queue.submit(4, 50),
      byBytes.queue.submit(5, 1),
    ]);
    assert.deepEqual(byBytes.batches, [[1, 2], [3], [4], [5]]);
  });

  it("rejects the items a failing write left unsettled with its error, and goes on with the next batch", async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<number, string>(
      (batch) => {
        calls++;
        if (calls === 1) {
          batch[0]?.resolve("settled before the failure");
          throw new Error("disk full");
        }
        for (const pending of batch) pending.resolve(`ok ${pending.item}`);
      },
      { maxItems: 10 },
    );
    const first = [1, 2].map((n) => queue.submit(n));
    const results = await Promise.allSettled(first);
    assert.deepEqual(results[0], { status: "fulfilled", value: "settled before the failure" });
    assert.equal(results[1]?.status, "rejected");
    assert.equal(await queue.submit(3), "ok 3");
  });

  it("close() waits for the submitted items and refuses new ones as unavailable", async () => {
    const { queue, holdWrites } = recordingQueue();
    const release = holdWrites();
    const pending = queue.submit(21);
    const closed = queue.close();
    await assert.rejects(queue.submit(1), (error) => isChatError(error) && error.code === "unavailable");
    release();
    await closed;
    assert.equal(await pending, 42);
    await queue.close();
  });
});

function append(senderId: number, clientMsgId: string, roomId = "lobby") {
  const item: NewMessage = {
    id: `m-${Math.random()}`,
    roomId,
    senderId,
    senderName: `member ${senderId}`,
    text: "hello",
    sentAtMs: 1,
    clientMsgId,
  };
  const outcome: { result?: AppendResult; error?: unknown } = {};
  const pending: PendingAppend = {
    item,
    bytes: 0,
    resolve: (result) => {
      outcome.result = result;
    },
    reject: (error) => {
      outcome.error = error;
    },
  };
  return { pending, outcome };
}

describe("AppendBatch", () => {
  it("leads with the first append of each key and of every keyless one; later tries of a key follow it", () => {
    const a = append(1, "k");
    const b = append(1, "");
    const c = append(1, "k");
    const d = append(2, "k");
    const e = append(1, "");
    const batch = new AppendBatch([a.pending, b.pending, c.pending, d.pending, e.pending]);
    assert.deepEqual(batch.leaders, [a.pending, b.pending, d.pending, e.pending]);
    const stored = storedAt(a.pending.item, 7);
    batch.resolve(a.pending, { message: stored, duplicate: false });
    assert.deepEqual(a.outcome.result, { message: stored, duplicate: false });
    assert.deepEqual(c.outcome.result, { message: stored, duplicate: true });
    assert.equal(d.outcome.result, undefined, "another sender's key is its own");
  });

  it("appends a follower on its own when its leader failed", async () => {
    const leader = append(1, "k", "nowhere");
    const follower = append(1, "k", "lobby");
    const batch = new AppendBatch([leader.pending, follower.pending]);
    const retried: NewMessage[] = [];
    batch.reject(leader.pending, new Error("room_not_found"), async (message) => {
      retried.push(message);
      return { message: storedAt(message, 1), duplicate: false };
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(retried, [follower.pending.item]);
    assert.equal((leader.outcome.error as Error).message, "room_not_found");
    assert.deepEqual(follower.outcome.result, { message: storedAt(follower.pending.item, 1), duplicate: false });
  });

  it("groups leaders by room in submission order", () => {
    const appends = ["a", "b", "a", "c", "b"].map((room, i) => append(i, "", room).pending);
    const rooms = AppendBatch.byRoom(appends);
    assert.deepEqual([...rooms.keys()], ["a", "b", "c"]);
    assert.deepEqual(rooms.get("a"), [appends[0], appends[2]]);
    assert.deepEqual(rooms.get("b"), [appends[1], appends[4]]);
  });
});
