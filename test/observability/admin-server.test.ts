import assert from "node:assert/strict";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { loadConfig } from "@chatroom/core";
import {
  adminPortChosen,
  createLogger,
  createMetricsRegistry,
  observabilityConfigSchema,
  Readiness,
  requestIdOf,
  startAdminServer,
} from "@chatroom/core/observability";
import { Counter } from "prom-client";

async function json(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe("the admin server", () => {
  it("serves the registry's metrics, liveness and readiness, and 404 elsewhere", async () => {
    const registry = createMetricsRegistry();
    new Counter({ name: "chatroom_test_things_total", help: "things", registers: [registry] }).inc(3);
    const readiness = new Readiness();
    const admin = await startAdminServer({ host: "127.0.0.1", port: 0, registry, readiness });
    try {
      const metrics = await fetch(`${admin.url}/metrics`);
      assert.equal(metrics.status, 200);
      const text = await metrics.text();
      assert.match(text, /^chatroom_test_things_total 3$/m);
      assert.match(text, /^process_resident_memory_bytes \d+/m, "default process metrics");
      assert.deepEqual(await json(`${admin.url}/healthz`), { status: 200, body: { status: "ok" } });
      assert.deepEqual(await json(`${admin.url}/readyz`), {
        status: 503,
        body: { status: "unavailable", checks: { started: "still starting" }, failing: ["started"] },
      });
      readiness.markStarted();
      assert.deepEqual(await json(`${admin.url}/readyz`), { status: 200, body: { status: "ok", checks: {} } });
      assert.equal((await fetch(`${admin.url}/nope`)).status, 404);
      assert.equal((await fetch(`${admin.url}/metrics`, { method: "POST" })).status, 405);
      assert.equal(admin.address, `127.0.0.1:${admin.port}`);
    } finally {
      await admin.close();
    }
  });

  it("falls back to a free port when a defaulted port is taken, and fails when a chosen one is", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    const options = { host: "127.0.0.1", port: taken, registry: createMetricsRegistry(), readiness: new Readiness() };
    try {
      await assert.rejects(startAdminServer(options), /EADDRINUSE/);
      const fallbacks: number[] = [];
      const admin = await startAdminServer({
        ...options,
        fallbackWhenTaken: true,
        onFallback: (port) => fallbacks.push(port),
      });
      assert.notEqual(admin.port, taken);
      assert.deepEqual(fallbacks, [admin.port]);
      await admin.close();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("readiness", () => {
  it("is ready only when started, not draining and every check passes in time", async () => {
    const readiness = new Readiness({ timeoutMs: 100 });
    let storeUp = true;
    readiness.add(
      {
        name: "store",
        check() {
          if (!storeUp) throw new Error("store is down");
        },
      },
      { name: "slow", check: () => new Promise<void>((resolve) => setTimeout(resolve, 5)) },
    );
    readiness.markStarted();
    assert.deepEqual(await readiness.evaluate(), { ready: true, checks: { store: "ok", slow: "ok" } });
    storeUp = false;
    assert.deepEqual(await readiness.evaluate(), { ready: false, checks: { store: "store is down", slow: "ok" } });
    storeUp = true;
    readiness.markDraining();
    assert.deepEqual(await readiness.evaluate(), {
      ready: false,
      checks: { draining: "shutting down", store: "ok", slow: "ok" },
    });
  });

  it("counts a check that does not answer within the timeout as failing", async () => {
    const readiness = new Readiness({ timeoutMs: 20 });
    let release = () => {};
    readiness.add({ name: "hung", check: () => new Promise<void>((resolve) => (release = resolve)) });
    readiness.markStarted();
    const report = await readiness.evaluate();
    release();
    assert.deepEqual(report, { ready: false, checks: { hung: "no answer within 20 ms" } });
  });
});

describe("the observability settings", () => {
  it("default the admin port per service, the host to the listen host and the log level to info", () => {
    const config = loadConfig(observabilityConfigSchema(9402), {});
    assert.deepEqual(config, { adminPort: 9402, adminHost: "", logLevel: "info" });
    const set = loadConfig(observabilityConfigSchema(9402), {
      CHATROOM_ADMIN_PORT: "0",
      CHATROOM_ADMIN_HOST: "0.0.0.0",
      CHATROOM_LOG_LEVEL: "debug",
    });
    assert.deepEqual(set, { adminPort: 0, adminHost: "0.0.0.0", logLevel: "debug" });
    assert.throws(() => loadConfig(observabilityConfigSchema(1), { CHATROOM_LOG_LEVEL: "loud" }), /CHATROOM_LOG_LEVEL/);
    assert.equal(adminPortChosen({}), false);
    assert.equal(adminPortChosen({ CHATROOM_ADMIN_PORT: "9000" }), true);
  });
});

describe("the JSON logger", () => {
  it("writes one JSON line per entry with time, level name, service and the entry's fields", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ service: "logic", level: "info", base: { zone: "a" }, destination });
    logger.debug({ requestId: "r1" }, "hidden below the level");
    logger.child({ component: "kafka" }).warn({ requestId: "r2", messageId: "m2" }, "something happened");
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.level, "warn");
    assert.equal(entry.service, "logic");
    assert.equal(entry.zone, "a");
    assert.equal(entry.component, "kafka");
    assert.equal(entry.requestId, "r2");
    assert.equal(entry.messageId, "m2");
    assert.equal(entry.msg, "something happened");
    assert.ok(!Number.isNaN(Date.parse(String(entry.time))), "ISO time");
  });

  it("keeps a sane caller request id and replaces anything else with a UUID", () => {
    assert.equal(requestIdOf("abc-123"), "abc-123");
    assert.equal(requestIdOf(["first", "second"]), "first");
    assert.match(requestIdOf(undefined), /^[0-9a-f-]{36}$/);
    assert.match(requestIdOf("has spaces"), /^[0-9a-f-]{36}$/);
    assert.match(requestIdOf("x".repeat(200)), /^[0-9a-f-]{36}$/);
  });
});
