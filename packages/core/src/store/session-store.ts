import type { Closable } from "../lifecycle.ts";
import type { Session } from "../types.ts";

/**
 * Login sessions behind signed tokens. A token is valid only while its session exists, is not revoked and has
 * not expired; revocation is visible to every reader as soon as revoke() resolves.
 */
export interface SessionStore extends Closable {
  create(session: Omit<Session, "revokedAtMs">): Promise<Session>;
  find(id: string): Promise<Session | null>;
  /** Marks the session revoked; returns false when it did not exist. Idempotent. */
  revoke(id: string, atMs: number): Promise<boolean>;
  /** Deletes sessions that expired before `nowMs`; returns how many. */
  deleteExpired(nowMs: number): Promise<number>;
}
