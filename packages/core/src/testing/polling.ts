import { setTimeout as sleep } from "node:timers/promises";

/**
 * The tests' one way to wait for an asynchronous outcome without betting on how long it takes: poll until it holds,
 * or fail with what was awaited. (Whether something arrived *only once* is never checked after a fixed sleep: the
 * tests send a sentinel after it and wait for that instead.)
 */

/**
 * Retries `check` until it stops throwing (returning its result) or `timeoutMs` passes (rethrowing its last
 * error): for assertions that become true.
 */
export async function eventually<R>(check: () => R | Promise<R>, timeoutMs = 5000, intervalMs = 10): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/** Polls `condition` until it is true; rejects naming `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<void> {
  await pollUntil(condition, (holds) => holds, what, timeoutMs, intervalMs);
}

/** Reads a value until `done(value)`; resolves with that value, or rejects naming `what` after `timeoutMs`. */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
