import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { initialWheelLinks, TimerWheel, type WheelEntry } from "../src/timer-wheel.ts";

/** An entry that records when it fired; `then` runs inside onDeadline (to reschedule). */
function entry(fired: number[], then?: (now: number) => void): WheelEntry {
  return {
    ...initialWheelLinks(),
    onDeadline(now) {
      fired.push(now);
      then?.(now);
    },
  };
}

const T0 = 1_000_000;

describe("TimerWheel", () => {
  test("fires a deadline at the first advance at or after it, never before", () => {
    const wheel = new TimerWheel({ tickMs: 100, slots: 8, now: T0, autoTick: false });
    const fired: number[] = [];
    wheel.schedule(entry(fired), T0 + 250);
    for (const now of [T0 + 100, T0 + 200, T0 + 249]) wheel.advance(now);
    assert.deepEqual(fired, []);
    wheel.advance(T0 + 300);
    assert.deepEqual(fired, [T0 + 300]);
    wheel.advance(T0 + 400);
    assert.equal(fired.length, 1);
    assert.equal(wheel.size, 0);
  });

  test("with one advance per tick, an entry fires at most one tick late", () => {
    const wheel = new TimerWheel({ tickMs: 100, slots: 4, now: T0, autoTick: false });
    const fired = new Map<number, number>();
    for (let at = T0 + 1; at < T0 + 2000; at += 37) {
      wheel.schedule({ ...initialWheelLinks(), onDeadline: (now) => fired.set(at, now) }, at);
    }
    for (let now = T0 + 13; now < T0 + 2200; now += 100) wheel.advance(now);
    assert.equal(fired.size, Math.ceil(1999 / 37));
    for (const [at, now] of fired) {
      assert.ok(now >= at, `fired early: ${at} at ${now}`);
      assert.ok(now - at <= 100, `fired late: ${at} at ${now}`);
    }
  });

  test("keeps deadlines further away than one turn of the wheel for their own turn", () => {
    const wheel = new TimerWheel({ tickMs: 10, slots: 4, now: T0, autoTick: false });
    const fired: number[] = [];
    wheel.schedule(entry(fired), T0 + 1005);
    for (let now = T0; now < T0 + 1000; now += 10) wheel.advance(now);
    assert.deepEqual(fired, []);
    wheel.advance(T0 + 1010);
    assert.deepEqual(fired, [T0 + 1010]);
  });

  test("fires what is due after a long pause in one advance", () => {
    const wheel = new TimerWheel({ tickMs: 10, slots: 4, now: T0, autoTick: false });
    const fired: number[] = [];
    for (const at of [T0 + 5, T0 + 17, T0 + 33, T0 + 500]) wheel.schedule(entry(fired), at);
    wheel.advance(T0 + 400);
    assert.equal(fired.length, 3);
    assert.equal(wheel.size, 1);
  });

  test("cancel and reschedule are O(1) relinks: a cancelled entry never fires, a moved one fires at its new time", () => {
    const wheel = new TimerWheel({ tickMs: 10, slots: 8, now: T0, autoTick: false });
    const fired: string[] = [];
    const a = { ...initialWheelLinks(), onDeadline: () => fired.push("a") };
    const b = { ...initialWheelLinks(), onDeadline: () => fired.push("b") };
    const c = { ...initialWheelLinks(), onDeadline: () => fired.push("c") };
    for (const e of [a, b, c]) wheel.schedule(e, T0 + 20);
    wheel.cancel(b);
    wheel.cancel(b);
    wheel.schedule(c, T0 + 60);
    assert.equal(wheel.size, 2);
    wheel.advance(T0 + 30);
    assert.deepEqual(fired, ["a"]);
    wheel.advance(T0 + 60);
    assert.deepEqual(fired, ["a", "c"]);
    assert.equal(wheel.size, 0);
  });

  test("an entry may reschedule itself from its callback", () => {
    const wheel = new TimerWheel({ tickMs: 10, slots: 4, now: T0, autoTick: false });
    const fired: number[] = [];
    let self: WheelEntry;
    self = entry(fired, (now) => {
      if (fired.length < 3) wheel.schedule(self, now + 25);
    });
    wheel.schedule(self, T0 + 5);
    for (let now = T0; now <= T0 + 200; now += 10) wheel.advance(now);
    assert.deepEqual(fired, [T0 + 10, T0 + 40, T0 + 70]);
  });

  test("a deadline already past fires at the next advance", () => {
    const wheel = new TimerWheel({ tickMs: 10, slots: 4, now: T0, autoTick: false });
    wheel.advance(T0 + 100);
    const fired: number[] = [];
    wheel.schedule(entry(fired), T0 + 1);
    wheel.advance(T0 + 101);
    assert.deepEqual(fired, [T0 + 101]);
  });
});
