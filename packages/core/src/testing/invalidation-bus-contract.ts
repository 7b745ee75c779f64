import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { InvalidationBus } from "../invalidation/invalidation-bus.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { eventually } from "./polling.ts";

/** Two buses over one shared medium (two processes), fresh per test. */
export interface InvalidationPair {
  a: InvalidationBus;
  b: InvalidationBus;
}

/**
 * The InvalidationBus contract (invalidation-bus.ts). `factory` returns two buses that share one medium and nothing
 * with any other pair (for Redis: a fresh prefix).
 */
export function invalidationBusContract(name: string, factory: ContractFactory<InvalidationPair>): void {
  describe(name, () => {
    it("delivers a key to the topic's handlers in every process, the publisher's own included", async () => {
      await withSubject(factory, async ({ a, b }) => {
        const seenA: Array<string | null> = [];
        const seenB: Array<string | null> = [];
        const other: Array<string | null> = [];
        a.subscribe("sessions", (key) => seenA.push(key));
        b.subscribe("sessions", (key) => seenB.push(key));
        b.subscribe("memberships", (key) => other.push(key));
        await eventually(async () => {
          // Subscriptions over a network settle asynchronously: publish until the first message gets through.
          await a.publish("sessions", "warm-up");
          assert.ok(seenA.includes("warm-up") && seenB.includes("warm-up"));
        });
        await a.publish("sessions", "s1");
        await b.publish("sessions", "s2");
        await eventually(() => {
          assert.deepEqual(seenA.slice(-2).sort(), ["s1", "s2"]);
          assert.deepEqual(seenB.slice(-2).sort(), ["s1", "s2"]);
        });
        assert.deepEqual(other, [], "other topics are not told");
      });
    });

    it("never calls a handler inside publish, and one throwing handler does not stop the others", async () => {
      await withSubject(factory, async ({ a }) => {
        const seen: string[] = [];
        a.subscribe("t", () => {
          throw new Error("a broken handler");
        });
        a.subscribe("t", (key) => seen.push(String(key)));
        await eventually(async () => {
          await a.publish("t", "k");
          assert.ok(seen.includes("k"));
        });
        const before = seen.length;
        const published = a.publish("t", "sync?");
        assert.equal(seen.length, before, "not delivered synchronously");
        await published;
        await eventually(() => assert.ok(seen.includes("sync?")));
      });
    });

    it("stops calling a handler once it unsubscribed", async () => {
      await withSubject(factory, async ({ a, b }) => {
        const kept: string[] = [];
        const dropped: string[] = [];
        b.subscribe("t", (key) => kept.push(String(key)));
        const off = b.subscribe("t", (key) => dropped.push(String(key)));
        await eventually(async () => {
          await a.publish("t", "first");
          assert.ok(dropped.includes("first"));
        });
        off();
        await a.publish("t", "second");
        await eventually(() => assert.ok(kept.includes("second")));
        assert.ok(!dropped.includes("second"));
      });
    });
  });
}
