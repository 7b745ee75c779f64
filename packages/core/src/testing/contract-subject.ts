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

/** A short random suffix, so names in shared backends never collide between tests or runs. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
