import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BackoffOptions, backoffCap, backoffDelay, DEFAULT_BACKOFF } from "../src/backoff.ts";

const options: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 10_000, jitter: "full" };

describe("backoff", () => {
  it("doubles the cap with every attempt up to the maximum", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffCap(attempt, options)),
      [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    assert.equal(backoffCap(10_000, options), 10_000);
  });

  it("defaults to 250 ms initial, 10 s max and full jitter", () => {
    assert.deepEqual(DEFAULT_BACKOFF, options);
  });

  it("with full jitter spans from zero to the cap", () => {
    assert.equal(
      backoffDelay(3, options, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(3, options, () => 0.999_999),
      2000,
    );
    assert.equal(
      backoffDelay(3, options, () => 0.5),
      1000,
    );
  });

  it("keeps random full-jitter delays within bounds and actually spreads them", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const cap = backoffCap(attempt, options);
      const delays = Array.from({ length: 200 }, () => backoffDelay(attempt, options));
      for (const delay of delays) assert.ok(delay >= 0 && delay <= cap, `${delay} outside [0, ${cap}]`);
      assert.ok(new Set(delays).size > 10, `attempt ${attempt} gave only ${new Set(delays).size} distinct delays`);
    }
  });

  it("with equal jitter stays in the upper half of the cap", () => {
    const equal = { ...options, jitter: "equal" as const };
    assert.equal(
      backoffDelay(2, equal, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(2, equal, () => 0.999_999),
      1000,
    );
  });

  it("without jitter is exactly the cap", () => {
    assert.equal(
      backoffDelay(4, { ...options, jitter: "none" }, () => 0.3),
      4000,
    );
  });
});
