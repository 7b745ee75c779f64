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
});
