import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trustProxySetting } from "../src/http/trust-proxy.ts";

describe("CHATROOM_TRUST_PROXY", () => {
  it("turns the setting into Express's trust proxy value", () => {
    assert.equal(trustProxySetting(""), false);
    assert.equal(trustProxySetting("false"), false);
    assert.equal(trustProxySetting("true"), true);
    assert.equal(trustProxySetting("2"), 2);
    assert.equal(trustProxySetting(" loopback, 10.0.0.0/8 "), "loopback, 10.0.0.0/8");
  });
});
