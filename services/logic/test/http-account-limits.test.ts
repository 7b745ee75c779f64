import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatError, type Logger } from "@chatroom/core";
import { type ApiResponse, errorCode, type Harness, register, request, startHarness } from "./harness.ts";

const PASSWORD = "correct horse battery";

/** A logger that keeps what was logged at warn. */
function recordingLogger(): Logger & { warnings: Array<{ details: object; message: string }> } {
  const warnings: Array<{ details: object; message: string }> = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn(details, message = "") {
      warnings.push({ details, message });
    },
    error() {},
  };
}

function login(harness: Harness, username: string, password: string, fromAddress?: string): Promise<ApiResponse> {
  return request(harness, "POST", "/api/v1/sessions", {
    json: { username, password },
    ...(fromAddress ? { headers: { "x-forwarded-for": fromAddress } } : {}),
  });
}

function assertRateLimited(response: ApiResponse, what: string): void {
  assert.equal(response.status, 429, what);
  assert.equal(errorCode(response), "rate_limited", what);
  assert.ok(Number(response.headers.get("retry-after")) >= 1, `${what}: Retry-After`);
}

describe("registration throttle per client address", () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ registerRateCapacity: 2, registerRateRefillPerSecond: 0.001 });
  });
  after(() => harness.close());

  it("refuses registrations beyond the burst with 429 and Retry-After; invalid input costs nothing", async () => {
    const weak = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "reg-a", password: "password1" },
    });
    assert.equal(errorCode(weak), "invalid_password");
    await register(harness, "reg-a");
    const taken = await request(harness, "POST", "/api/v1/accounts", {
      json: { username: "reg-a", password: PASSWORD },
    });
    assert.equal(errorCode(taken), "username_taken", "probing a taken name uses up the burst too");
    assertRateLimited(
      await request(harness, "POST", "/api/v1/accounts", { json: { username: "reg-b", password: PASSWORD } }),
      "third registration",
    );
  });
});

describe("login throttle per account", () => {
  let harness: Harness;
  const logger = recordingLogger();
  before(async () => {
    harness = await startHarness(
      {
        loginAccountRateCapacity: 3,
        loginAccountRateRefillPerSecond: 0.001,
        loginRateCapacity: 1000,
        trustProxy: "loopback",
      },
      { logger },
    );
  });
  after(() => harness.close());

  it("locks an account after its failed attempts from any address, the right password included, and logs it", async () => {
    await register(harness, "victim");
    for (const [i, address] of ["203.0.113.1", "203.0.113.2", "198.51.100.7"].entries()) {
      const wrong = await login(harness, "victim", `wrong guess ${i}`, address);
      assert.equal(wrong.status, 401, `guess ${i}`);
    }
    assertRateLimited(await login(harness, "victim", PASSWORD, "192.0.2.55"), "right password from a fresh address");
    assertRateLimited(await login(harness, "VICTIM", PASSWORD, "192.0.2.56"), "the name in another case");
    assert.ok(logger.warnings.some((w) => /account locked/.test(w.message)));
    assert.ok(logger.warnings.some((w) => /login refused/.test(w.message)));
    assert.equal((await login(harness, "bystander", "wrong guess", "203.0.113.1")).status, 401, "other accounts");
  });

  it("counts only failures: many successful logins never lock an account", async () => {
    await register(harness, "regular");
    for (let i = 0; i < 8; i++) assert.equal((await login(harness, "regular", PASSWORD)).status, 200, `login ${i}`);
    for (let i = 0; i < 2; i++) assert.equal((await login(harness, "regular", "wrong guess")).status, 401);
    assert.equal((await login(harness, "regular", PASSWORD)).status, 200, "two failures leave one attempt");
  });

  it("does not count attempts that failed for another reason than the password, such as a store outage", async () => {
    await register(harness, "unlucky");
    const members = harness.stores.members;
    const findByUsername = members.findByUsername;
    members.findByUsername = async () => {
      throw new ChatError("unavailable", "the store is down");
    };
    try {
      for (let i = 0; i < 5; i++) assert.equal((await login(harness, "unlucky", PASSWORD)).status, 503, `try ${i}`);
    } finally {
      members.findByUsername = findByUsername;
    }
    assert.equal((await login(harness, "unlucky", PASSWORD)).status, 200);
  });

  it("treats unknown usernames alike, so a 429 does not tell whether an account exists", async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await login(harness, "nobody-at-all", `guess ${i}`));
    assert.deepEqual(
      answers.map((response) => response.status),
      [401, 401, 401, 429],
    );
  });

  it("lets concurrent guesses through no more than the account's burst", async () => {
    await register(harness, "raced");
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => login(harness, "raced", `guess ${i}`, `203.0.113.${i + 10}`)),
    );
    assert.equal(answers.filter((response) => response.status === 401).length, 3);
    assert.equal(answers.filter((response) => response.status === 429).length, 7);
  });
});
