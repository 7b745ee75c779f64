import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePorts } from "../src/net/free-port.ts";

function bind(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

describe("freePorts", () => {
  it("returns distinct ports below the kernel's ephemeral range, each bindable", async () => {
    const ports = await freePorts(25);
    assert.equal(new Set(ports).size, 25);
    for (const port of ports) {
      assert.ok(port >= 20_000 && port < 30_000, `port ${port} outside 20000–29999`);
      await bind(port);
    }
  });
});
