import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CometInfo, MemoryCometRegistry } from "@chatroom/core";
import { cometRegistryContract, eventually } from "@chatroom/core/testing";

cometRegistryContract("MemoryCometRegistry", async () => {
  const registry = new MemoryCometRegistry();
  return { subject: registry, cleanup: () => registry.close() };
});

const info = (id: string): CometInfo => ({ id, grpcAddress: "inproc", wsUrl: "", startedAtMs: 1 });

describe("MemoryCometRegistry", () => {
  it("notices an expiry on the injected clock through its sweep and tells watchers", async () => {
    let now = 1_000;
    const registry = new MemoryCometRegistry({ now: () => now, sweepIntervalMs: 10 });
    await registry.register(info("a"), 5_000);
    await registry.register(info("b"), 60_000);
    const calls: string[][] = [];
    const watch = await registry.watch((comets) => calls.push(comets.map((c) => c.id)));
    await eventually(() => assert.deepEqual(calls, [["a", "b"]]));
    now += 5_000;
    await eventually(() => assert.deepEqual(calls, [["a", "b"], ["b"]]));
    await watch.close();
    await registry.close();
  });

  it("does not notify watchers of a renewal that changes nothing", async () => {
    const registry = new MemoryCometRegistry();
    const calls: string[][] = [];
    const watch = await registry.watch((comets) => calls.push(comets.map((c) => c.id)));
    await eventually(() => assert.deepEqual(calls, [[]]));
    await registry.register(info("a"), 60_000);
    await registry.register(info("a"), 60_000);
    await registry.register(info("b"), 60_000);
    await eventually(() => assert.deepEqual(calls.at(-1), ["a", "b"]));
    assert.deepEqual(calls, [[], ["a"], ["a", "b"]]);
    await watch.close();
    await registry.close();
  });

  it("keeps calling other watchers when one throws", async () => {
    const registry = new MemoryCometRegistry();
    const calls: number[] = [];
    await registry.watch(() => {
      throw new Error("broken watcher");
    });
    await registry.watch((comets) => calls.push(comets.length));
    await registry.register(info("a"), 60_000);
    await eventually(() => assert.ok(calls.includes(1)));
    await registry.close();
    await assert.rejects(registry.list(), { code: "unavailable" });
  });
});
