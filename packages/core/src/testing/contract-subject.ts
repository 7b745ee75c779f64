import { setTimeout as sleep } from "node:timers/promises";

/**
 * What a contract suite needs from an implementation: a fresh, empty subject per test and a way to release it.
 * Networked implementations return a subject over an isolated namespace (new topic, schema, key prefix…).
 */
export interface ContractSubject<T> {
  subject: T;
  cleanup(): Promise<void>;
}

export type ContractFactory<T> = () => Promise<ContractSubject<T>>;

/** Runs `test` on a fresh subject and always cleans it up. */
export async function withSubject<T>(factory: ContractFactory<T>, test: (subject: T) => Promise<void>): Promise<void> {
  const { subject, cleanup } = await factory();
  try {
    await test(subject);
  } finally {
    await cleanup();
  }
}

/**
 * Retries `check` until it stops throwing (returning its result) or `timeoutMs` passes (rethrowing its last
 * error): waits for an asynchronous outcome without betting on how long it takes.
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

/** A short random suffix, so names in shared backends never collide between tests or runs. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
