import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypedEmitter } from "../src/typed-emitter.ts";

interface Events {
  count: number;
  name: string;
}

describe("TypedEmitter", () => {
  it("calls every listener of an event with the payload, in the order they were added", () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    emitter.on("count", (n) => seen.push(`a${n}`));
    emitter.on("count", (n) => seen.push(`b${n}`));
    emitter.on("name", (s) => seen.push(s));
    emitter.emit("count", 1);
    emitter.emit("name", "x");
    assert.deepEqual(seen, ["a1", "b1", "x"]);
  });

  it("stops calling a listener once the function returned by on() is called", () => {
    const emitter = new TypedEmitter<Events>();
    const seen: number[] = [];
    const off = emitter.on("count", (n) => seen.push(n));
    emitter.emit("count", 1);
    off();
    emitter.emit("count", 2);
    assert.deepEqual(seen, [1]);
    assert.equal(emitter.listenerCount("count"), 0);
  });

  it("calls a once() listener a single time", () => {
    const emitter = new TypedEmitter<Events>();
    const seen: number[] = [];
    emitter.once("count", (n) => seen.push(n));
    emitter.emit("count", 1);
    emitter.emit("count", 2);
    assert.deepEqual(seen, [1]);
  });

  it("keeps calling the other listeners when one throws, and reports the error", () => {
    const errors: unknown[] = [];
    const emitter = new TypedEmitter<Events>((error) => errors.push(error));
    const seen: number[] = [];
    emitter.on("count", () => {
      throw new Error("boom");
    });
    emitter.on("count", (n) => seen.push(n));
    emitter.emit("count", 7);
    assert.deepEqual(seen, [7]);
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as Error).message, "boom");
  });

  it("applies listeners added or removed during an emit from the next emit on", () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const second = (n: number) => seen.push(`second${n}`);
    emitter.on("count", (n) => {
      seen.push(`first${n}`);
      emitter.off("count", second);
      emitter.on("count", (m) => seen.push(`late${m}`));
    });
    emitter.on("count", second);
    emitter.emit("count", 1);
    assert.deepEqual(seen, ["first1", "second1"]);
  });

  it("does nothing when emitting an event without listeners", () => {
    const emitter = new TypedEmitter<Events>();
    emitter.emit("name", "nobody");
    assert.equal(emitter.listenerCount("name"), 0);
  });
});
