import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGoimAuth } from "../src/goim/goim-auth.ts";
import { parseGoimOps } from "../src/goim/goim-ops.ts";
import { goimRoomKey, isGoimRoom, validateGoimRoom } from "../src/goim/goim-rooms.ts";
import { hmacVerifier, signGoimCredential } from "../src/goim/goim-verifier.ts";

const text = (value: string) => new TextEncoder().encode(value);
const SECRET = "goim-hmac-secret-that-is-long-enough-0123";

describe("goim's JSON OP_AUTH body", () => {
  it("reads goim's client.js token", () => {
    const auth = parseGoimAuth(
      text('{"mid":123, "room_id":"live://1000", "platform":"web", "accepts":[1000,1001,1002]}'),
    );
    assert.deepEqual(auth, { mid: 123, key: "", roomId: "live://1000", platform: "web", accepts: [1000, 1001, 1002] });
  });

  it("treats mid 0 or none as anonymous, ignores fields goim does not know, dedupes accepts", () => {
    assert.deepEqual(parseGoimAuth(text('{"mid":0,"accepts":[5,5],"extra":{"x":1}}')), {
      mid: undefined,
      key: "",
      roomId: "",
      platform: "",
      accepts: [5],
    });
    assert.equal(parseGoimAuth(text("{}")).mid, undefined);
  });

  it("refuses what goim's json.Unmarshal refuses, and what would lose digits or forge rooms", () => {
    for (const body of [
      "",
      "not json",
      "[1]",
      "null",
      '{"mid":"123"}',
      '{"mid":1.5}',
      '{"mid":-1}',
      '{"mid":9007199254740993}',
      '{"key":5}',
      '{"room_id":"lobby"}',
      '{"room_id":"live://a:b"}',
      '{"accepts":"1000"}',
      '{"accepts":[2147483648]}',
      '{"platform":{}}',
    ]) {
      assert.throws(() => parseGoimAuth(text(body)), { code: "bad_request" }, body);
    }
    assert.throws(() => parseGoimAuth(new Uint8Array([0xff, 0xfe])), { code: "bad_request" });
  });
});

describe("goim's OP_SUB / OP_UNSUB body", () => {
  it("is comma-separated int32s, or empty for none", () => {
    assert.deepEqual(parseGoimOps("1000,1001"), [1000, 1001]);
    assert.deepEqual(parseGoimOps("1000,1000,-7,+8"), [1000, -7, 8]);
    assert.deepEqual(parseGoimOps(""), []);
  });

  it("refuses anything else whole, so that nothing changes", () => {
    for (const body of [" 1000", "1000,", ",1000", "1000,,1", "x", "1e3", "2147483648", "-2147483649", "1000;1001"]) {
      assert.throws(() => parseGoimOps(body), { code: "bad_request" }, body);
    }
  });
});

describe("goim rooms", () => {
  it("are type://id, beside chatroom's room ids", () => {
    assert.equal(validateGoimRoom("live://1000"), "live://1000");
    assert.equal(goimRoomKey("chat.v2", "room_7-a"), "chat.v2://room_7-a");
    assert.ok(isGoimRoom("live://1000"));
    assert.ok(!isGoimRoom("lobby") && !isGoimRoom("dm:1:2"));
    for (const bad of [
      "lobby",
      "live://",
      "://1000",
      "live:1000",
      "live://a:b",
      "live://a/b",
      "1live://x",
      "live:// x",
    ]) {
      assert.throws(() => validateGoimRoom(bad), { code: "bad_request" }, bad);
    }
  });
});

describe("the hmac goim verifier", () => {
  const now = () => 1_000_000;
  const verify = hmacVerifier(SECRET, now);

  it("accepts a credential the backend signed, until it expires", async () => {
    const credential = signGoimCredential(SECRET, 42, 2_000_000);
    assert.match(credential, /^v1\.42\.2000000\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await verify(credential), { memberId: 42, expiresAtMs: 2_000_000 });
    await assert.rejects(verify(signGoimCredential(SECRET, 42, 999_999)), { code: "token_expired" });
  });

  it("refuses forged, altered or malformed credentials", async () => {
    const good = signGoimCredential(SECRET, 42, 2_000_000);
    for (const credential of [
      signGoimCredential(`${SECRET}-other`, 42, 2_000_000),
      good.replace("v1.42.", "v1.43."),
      good.replace(".2000000.", ".2000001."),
      `${good.slice(0, -1)}${good.endsWith("B") ? "C" : "B"}`,
      "42",
      "",
    ]) {
      await assert.rejects(verify(credential), { code: "unauthorized" }, credential);
    }
  });
});
