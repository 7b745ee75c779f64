import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { throttleKeyOf } from "../src/http/client-address.ts";
import { type Account, errorCode, type Harness, register, request, startHarness } from "./harness.ts";

describe("cross-origin requests with the session cookie", () => {
  let harness: Harness;
  let alice: Account;
  let cookie: string;
  let ownOrigin: string;
  before(async () => {
    harness = await startHarness({ allowedOrigins: ["https://chat.example.com"] });
    alice = await register(harness, "alice");
    cookie = `chatroom_session=${alice.token}`;
    ownOrigin = harness.baseUrl;
  });
  after(() => harness.close());

  const createRoom = (id: string, headers: Record<string, string>, token?: string) =>
    request(harness, "POST", "/api/v1/rooms", { json: { id }, headers, ...(token ? { token } : {}) });

  it("refuses a state-changing request from a foreign origin with 403 forbidden and says why", async () => {
    const refused = await createRoom("evil", { cookie, origin: "https://evil.example" });
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), "forbidden");
    assert.match((refused.body as { error: { message: string } }).error.message, /origin https:\/\/evil\.example/);
    const logout = await request(harness, "DELETE", "/api/v1/sessions/current", {
      headers: { cookie, origin: "http://127.0.0.1:1" },
    });
    assert.equal(logout.status, 403, "another port of the same host is another origin");
    assert.equal((await request(harness, "GET", "/api/v1/me", { headers: { cookie } })).status, 200, "still logged in");
  });

  it("accepts the server's own origin, a configured origin and requests without Origin", async () => {
    assert.equal((await createRoom("own", { cookie, origin: ownOrigin })).status, 201);
    assert.equal((await createRoom("listed", { cookie, origin: "https://chat.example.com" })).status, 201);
    assert.equal((await createRoom("no-origin", { cookie })).status, 201);
  });

  it("leaves reads and Bearer-authenticated requests alone", async () => {
    const read = await request(harness, "GET", "/api/v1/me", { headers: { cookie, origin: "https://evil.example" } });
    assert.equal(read.status, 200);
    const bearer = await createRoom("by-bearer", { origin: "https://evil.example" }, alice.token);
    assert.equal(bearer.status, 201);
  });
});

describe("API response headers", () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness.close());

  it("forbid sniffing, framing, rendering active content, caching and referrers, errors included", async () => {
    for (const path of ["/api/openapi.yaml", "/api/v1/me", "/api/v1/nothing-here", "/goim/online/total"]) {
      const response = await request(harness, "GET", path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      assert.equal(response.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'", path);
      assert.equal(response.headers.get("cache-control"), "no-store", path);
    }
  });
});

describe("the client address of the per-address throttles", () => {
  it("keys IPv6 clients by their /64 and IPv4-mapped ones by their IPv4 address", () => {
    assert.equal(throttleKeyOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    assert.equal(throttleKeyOf("2001:0db8:0001:0002::1"), "2001:db8:1:2::/64");
    assert.equal(throttleKeyOf("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(throttleKeyOf("::1"), "0:0:0:0::/64");
    assert.equal(throttleKeyOf("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(throttleKeyOf("::ffff:203.0.113.9"), "203.0.113.9");
    assert.equal(throttleKeyOf("203.0.113.9"), "203.0.113.9");
  });
});
