import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, describeConfig } from "@chatroom/core";
import { cometConfigSchema, loadCometConfig } from "../src/config.ts";

describe("comet config", () => {
  test("defaults match the documented values", () => {
    const config = loadCometConfig({});
    assert.equal(config.id, "comet-1");
    assert.equal(config.buckets, 32);
    assert.equal(config.maxFrameBytes, 65_536);
    assert.equal(config.authTimeoutMs, 10_000);
    assert.equal(config.heartbeatIntervalMs, 30_000);
    assert.equal(config.renewOnlineIntervalMs, 10_000);
    assert.equal(config.sendQueueMax, 1024);
    assert.equal(config.maxBufferedBytes, 4 * 1024 * 1024);
  });

  test("settings are read from CHATROOM_COMET_ variables (and the shared CHATROOM_ALLOWED_ORIGINS)", () => {
    const config = loadCometConfig({ CHATROOM_COMET_ID: "comet-7", CHATROOM_COMET_BUCKETS: "64" });
    assert.deepEqual([config.id, config.buckets], ["comet-7", 64]);
    assert.throws(() => loadCometConfig({ CHATROOM_COMET_BUCKETS: "0" }), ConfigError);
    assert.throws(() => loadCometConfig({ CHATROOM_COMET_AUTH_TIMEOUT_MS: "soon" }), /CHATROOM_COMET_AUTH_TIMEOUT_MS/);
    for (const row of describeConfig(cometConfigSchema)) {
      assert.match(row.env, /^(CHATROOM_COMET_[A-Z_]+|CHATROOM_ALLOWED_ORIGINS)$/);
    }
    const origins = loadCometConfig({ CHATROOM_ALLOWED_ORIGINS: "https://a.example, https://b.example" });
    assert.deepEqual(origins.allowedOrigins, ["https://a.example", "https://b.example"]);
  });

  test("goim compatibility is off by default, and trusting mid needs a listener of its own", () => {
    const defaults = loadCometConfig({});
    assert.deepEqual([defaults.goimWsListen, defaults.goimWsAuth, defaults.goimPublicSub], [null, "verify", false]);
    const on = loadCometConfig({ CHATROOM_COMET_GOIM_LISTEN: "10.0.0.7:3102", CHATROOM_COMET_GOIM_AUTH: "trust" });
    assert.deepEqual(on.goimWsListen, { host: "10.0.0.7", port: 3102 });
    assert.deepEqual(loadCometConfig({ CHATROOM_COMET_GOIM_LISTEN: "[::1]:0" }).goimWsListen, { host: "::1", port: 0 });
    assert.throws(() => loadCometConfig({ CHATROOM_COMET_GOIM_AUTH: "trust" }), /needs CHATROOM_COMET_GOIM_LISTEN/);
    for (const bad of ["3102", ":3102", "host:99999", "a b:1"]) {
      assert.throws(() => loadCometConfig({ CHATROOM_COMET_GOIM_LISTEN: bad }), /CHATROOM_COMET_GOIM_LISTEN/, bad);
    }
  });
});
