import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, MemoryPresence, MemoryPushBus, MemoryRateLimiter, openSqliteStores } from "@chatroom/core";
import { createLogic, loadLogicConfig } from "../src/index.ts";

const SECRET = "s".repeat(32);

describe("logic configuration", () => {
  it("has the documented defaults", () => {
    const config = loadLogicConfig({ CHATROOM_TOKEN_SECRET: SECRET });
    assert.equal(config.sessionTtlMs, 7 * 24 * 3600 * 1000);
    assert.equal(config.heartbeatIntervalMs, 30_000);
    assert.equal(config.presenceTtlMs, 90_000);
    assert.equal(config.maxTextBytes, 4096);
    assert.deepEqual([config.historyPageDefault, config.historyPageMax, config.resumePageSize], [50, 200, 500]);
    assert.deepEqual([config.sendRateCapacity, config.sendRateRefillPerSecond], [20, 10]);
    assert.deepEqual(config.apiKeys, []);
    assert.equal(config.cookieName, "chatroom_session");
    assert.equal(config.cookieSecure, "auto");
    assert.equal(config.trustProxy, "false", "no X-Forwarded-For is believed unless a proxy is named");
    assert.deepEqual(config.allowedOrigins, []);
    assert.deepEqual([config.registerRateCapacity, config.registerRateRefillPerSecond], [5, 5 / 3600]);
    assert.deepEqual([config.loginAccountRateCapacity, config.loginAccountRateRefillPerSecond], [10, 1 / 60]);
  });

  it("reads CHATROOM_ variables, lists and fractional rates", () => {
    const config = loadLogicConfig({
      CHATROOM_TOKEN_SECRET: SECRET,
      CHATROOM_API_KEYS: "one, two,,",
      CHATROOM_LOGIN_RATE_REFILL_PER_SECOND: "0.5",
      CHATROOM_COOKIE_SECURE: "true",
    });
    assert.deepEqual(config.apiKeys, ["one", "two"]);
    assert.equal(config.loginRateRefillPerSecond, 0.5);
    assert.equal(config.cookieSecure, "true");
  });

  it("refuses a missing or short token secret, naming the variable", () => {
    assert.throws(
      () => loadLogicConfig({}),
      (e: unknown) => e instanceof ConfigError && /CHATROOM_TOKEN_SECRET/.test(e.message),
    );
    assert.throws(
      () => loadLogicConfig({ CHATROOM_TOKEN_SECRET: "short" }),
      (e: unknown) => e instanceof ConfigError && /at least 32/.test(e.message),
    );
  });

  it("refuses a short secret passed as an override to createLogic", async () => {
    const stores = openSqliteStores({ path: ":memory:" });
    const presence = new MemoryPresence();
    const bus = new MemoryPushBus();
    const rateLimiter = new MemoryRateLimiter();
    try {
      const config = { ...loadLogicConfig({ CHATROOM_TOKEN_SECRET: SECRET }), tokenSecret: "too-short" };
      await assert.rejects(createLogic({ stores, presence, bus, rateLimiter, config }), ConfigError);
    } finally {
      await Promise.all([stores.close(), presence.close(), bus.close(), rateLimiter.close()]);
    }
  });
});
