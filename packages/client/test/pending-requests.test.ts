import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatClientError } from "../src/chat-client-error.ts";
import { PendingRequests, type Timers } from "../src/pending-requests.ts";

/** Timers that fire only when the test says so. */
function manualTimers(): Timers & { fireAll(): void; active(): number } {
  const timers = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout(callback) {
      const id = next++;
      timers.set(id, callback);
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    fireAll() {
      for (const [id, callback] of [...timers]) {
        timers.delete(id);
        callback();
      }
    },
    active: () => timers.size,
  };
}

const body = (...bytes: number[]) => new Uint8Array(bytes);

describe("PendingRequests", () => {
  it("gives every request its own seq, starting at 1", () => {
    const pending = new PendingRequests(manualTimers());
    const a = pending.add(4, 1000);
    const b = pending.add(18, 1000);
    assert.equal(a.seq, 1);
    assert.equal(b.seq, 2);
    assert.equal(pending.size, 2);
  });

  it("settles a request with the reply that has its seq and op + 1, and clears its timer", async () => {
    const timers = manualTimers();
    const pending = new PendingRequests(timers);
    const first = pending.add(4, 1000);
    const second = pending.add(24, 1000);
    assert.equal(pending.resolve(second.seq, 25, body(9)), true);
    assert.deepEqual(await second.reply, body(9));
    assert.equal(pending.resolve(first.seq, 5, body(1)), true);
    assert.deepEqual(await first.reply, body(1));
    assert.equal(pending.size, 0);
    assert.equal(timers.active(), 0);
  });

  it("ignores a reply whose op does not answer the request, or whose seq is unknown", () => {
    const pending = new PendingRequests(manualTimers());
    const request = pending.add(4, 1000);
    assert.equal(pending.resolve(request.seq, 19, body()), false);
    assert.equal(pending.resolve(999, 5, body()), false);
    assert.equal(pending.size, 1);
  });

  it("rejects the request an error reply names", async () => {
    const pending = new PendingRequests(manualTimers());
    const request = pending.add(4, 1000);
    const error = new ChatClientError("rate_limited", "slow down", { retryAfterMs: 300, requestOp: 4 });
    assert.equal(pending.reject(request.seq, error), true);
    await assert.rejects(request.reply, (e: unknown) => e === error);
    assert.equal(pending.reject(request.seq, error), false);
  });

  it("rejects with code timeout when no reply comes in time", async () => {
    const timers = manualTimers();
    const pending = new PendingRequests(timers);
    const request = pending.add(18, 5000);
    timers.fireAll();
    await assert.rejects(request.reply, (e: unknown) => e instanceof ChatClientError && e.code === "timeout");
    assert.equal(pending.size, 0);
    // A reply after the timeout is not matched to anything.
    assert.equal(pending.resolve(request.seq, 19, body()), false);
  });

  it("rejects everything at once when the connection goes away", async () => {
    const timers = manualTimers();
    const pending = new PendingRequests(timers);
    const a = pending.add(4, 1000);
    const b = pending.add(24, 1000);
    pending.rejectAll(() => new ChatClientError("disconnected", "gone"));
    for (const request of [a, b]) {
      await assert.rejects(request.reply, (e: unknown) => e instanceof ChatClientError && e.code === "disconnected");
    }
    assert.equal(timers.active(), 0);
  });

  it("wraps the seq counter past int32 max to 1, never using 0 (the seq of server pushes)", () => {
    const pending = new PendingRequests(manualTimers(), 0x7fff_fffe);
    assert.deepEqual(
      [pending.add(4, 1000).seq, pending.add(4, 1000).seq, pending.add(4, 1000).seq, pending.nextSeq()],
      [0x7fff_fffe, 0x7fff_ffff, 1, 2],
    );
  });
});
