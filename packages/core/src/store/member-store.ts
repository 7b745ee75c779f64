import type { Closable } from "../lifecycle.ts";
import type { Member } from "../types.ts";

/**
 * Accounts. Usernames are unique, compared case-insensitively, stored as given.
 * create() throws ChatError("username_taken") when the name exists.
 */
export interface MemberStore extends Closable {
  create(input: { username: string; passwordHash: string; createdAtMs: number }): Promise<Member>;
  findById(id: number): Promise<Member | null>;
  findByUsername(username: string): Promise<Member | null>;
  /** Members by id, in no particular order; unknown ids are left out. */
  findByIds(ids: readonly number[]): Promise<Member[]>;
}
