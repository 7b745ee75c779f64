import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SessionTokens } from "../src/auth/session-token.ts";
import { errorCode, type Harness, register, request, startHarness, TEST_SECRET } from "./harness.ts";

describe("HTTP accounts and sessions", () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ loginRateCapacity: 6, loginRateRefillPerSecond: 0.001 });
  });
  after(() => harness.close());

  it("registers an account with 201, a token, its expiry and an HttpOnly SameSite=Strict session cookie", async () => {
    const response = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "alice", password: "correct horse battery" },
    });
    assert.equal(response.status, 201);
    const body = response.body as { member: { id: number; username: string }; token: string; expiresAtMs: number };
    assert.equal(body.member.username, "alice");
    assert.ok(body.member.id > 0);
    assert.match(body.token, /^v1\./);
    assert.ok(body.expiresAtMs > Date.now());
    const cookie = response.headers.get("set-cookie") ?? "";
    assert.match(cookie, new RegExp(`^chatroom_session=${body.token.replaceAll(".", "\\.")};`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/);
  });

  it("joins every new account to the lobby", async () => {
    const bob = await register(harness, "bob-lobby");
    const rooms = await request(harness, "GET", "/api/v1/me/rooms", { token: bob.token });
    assert.equal(rooms.status, 200);
    assert.deepEqual(
      (rooms.body as { rooms: Array<{ id: string }> }).rooms.map((r) => r.id),
      ["lobby"],
    );
  });

  it("refuses a taken username, compared case-insensitively, with 409 username_taken", async () => {
    await register(harness, "carol");
    const response = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "CAROL", password: "another password" },
    });
    assert.equal(response.status, 409);
    assert.equal(errorCode(response), "username_taken");
  });

  it("refuses invalid usernames and passwords with 400 and their own codes", async () => {
    const badName = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "a b", password: "long enough" },
    });
    assert.equal(badName.status, 400);
    assert.equal(errorCode(badName), "invalid_username");
    const badPassword = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "dave", password: "short" },
    });
    assert.equal(badPassword.status, 400);
    assert.equal(errorCode(badPassword), "invalid_password");
    const wrongType = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "dave", password: 12345678 },
    });
    assert.equal(wrongType.status, 400);
    assert.equal(errorCode(wrongType), "invalid_password");
  });

  it("answers malformed JSON, a non-object body and a missing body with 400 bad_request", async () => {
    const malformed = await request(harness, "POST", "/api/v1/accounts", {
      raw: { body: '{"username": "x",', contentType: "application/json" },
    });
    assert.equal(malformed.status, 400);
    assert.equal(errorCode(malformed), "bad_request");
    const array = await request(harness, "POST", "/api/v1/sessions", { json: ["alice", "pw"] });
    assert.equal(array.status, 400);
    assert.equal(errorCode(array), "bad_request");
    const missing = await request(harness, "POST", "/api/v1/sessions");
    assert.equal(missing.status, 400);
    assert.equal(errorCode(missing), "bad_request");
  });

  it("answers a body over the limit with 413 payload_too_large", async () => {
    const response = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "big", password: "x".repeat(70 * 1024) },
    });
    assert.equal(response.status, 413);
    assert.equal(errorCode(response), "payload_too_large");
  });

  it("logs in with 200 and a new token, and GET /me shows the member with the token or the cookie", async () => {
    const erin = await register(harness, "erin");
    const login = await request(harness, "POST", "/api/v1/sessions", {
      json: { username: "erin", password: "correct horse battery" },
    });
    assert.equal(login.status, 200);
    const { token } = login.body as { token: string };
    assert.notEqual(token, erin.token);
    const byBearer = await request(harness, "GET", "/api/v1/me", { token });
    assert.equal(byBearer.status, 200);
    assert.deepEqual((byBearer.body as { member: unknown }).member, { id: erin.id, username: "erin" });
    const byCookie = await request(harness, "GET", "/api/v1/me", {
      headers: { cookie: `other=1; chatroom_session=${token}` },
    });
    assert.equal(byCookie.status, 200);
    assert.equal((byCookie.body as { member: { id: number } }).member.id, erin.id);
  });

  it("refuses a wrong password and an unknown user alike with 401 unauthorized", async () => {
    await register(harness, "frank");
    const wrong = await request(harness, "POST", "/api/v1/sessions", {
      json: { username: "frank", password: "not the password" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(errorCode(wrong), "unauthorized");
    const unknown = await request(harness, "POST", "/api/v1/sessions", {
      json: { username: "nobody-here", password: "not the password" },
    });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, wrong.body);
  });

  it("answers missing, malformed and forged tokens with 401 unauthorized", async () => {
    const missing = await request(harness, "GET", "/api/v1/me");
    assert.equal(missing.status, 401);
    assert.equal(errorCode(missing), "unauthorized");
    const malformed = await request(harness, "GET", "/api/v1/me", { headers: { authorization: "Basic abc" } });
    assert.equal(errorCode(malformed), "unauthorized");
    const grace = await register(harness, "grace");
    const [, id, expires] = grace.token.split(".");
    const forged = new SessionTokens("a-different-secret-of-enough-length!!").sign({
      sessionId: id ?? "",
      expiresAtMs: Number(expires),
    });
    const response = await request(harness, "GET", "/api/v1/me", { token: forged });
    assert.equal(response.status, 401);
    assert.equal(errorCode(response), "unauthorized");
  });

  it("answers an expired token with 401 token_expired", async () => {
    const heidi = await register(harness, "heidi");
    const sessionId = heidi.token.split(".")[1] ?? "";
    const expired = new SessionTokens(TEST_SECRET).sign({ sessionId, expiresAtMs: Date.now() - 1000 });
    const response = await request(harness, "GET", "/api/v1/me", { token: expired });
    assert.equal(response.status, 401);
    assert.equal(errorCode(response), "token_expired");
  });

  it("logs out with 204, clears the cookie, and the token is then refused as session_revoked", async () => {
    const ivan = await register(harness, "ivan");
    const logout = await request(harness, "DELETE", "/api/v1/sessions/current", { token: ivan.token });
    assert.equal(logout.status, 204);
    assert.match(logout.headers.get("set-cookie") ?? "", /^chatroom_session=;.*Max-Age=0/);
    const me = await request(harness, "GET", "/api/v1/me", { token: ivan.token });
    assert.equal(me.status, 401);
    assert.equal(errorCode(me), "session_revoked");
  });

  it("rate-limits logins per client address with 429 rate_limited and Retry-After", async () => {
    const attempts = [];
    for (let i = 0; i < 10; i++) {
      attempts.push(
        await request(harness, "POST", "/api/v1/sessions", { json: { username: "judy", password: "whatever-pw" } }),
      );
    }
    const limited = attempts.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, "some attempts were rate limited");
    assert.equal(errorCode(limited[0] as (typeof attempts)[number]), "rate_limited");
    assert.ok(Number(limited[0]?.headers.get("retry-after")) >= 1);
  });

  it("answers unknown routes under /api with a 404 not_found JSON error", async () => {
    const response = await request(harness, "GET", "/api/v1/nothing-here");
    assert.equal(response.status, 404);
    assert.equal(errorCode(response), "not_found");
  });
});
