import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import type { Member } from "../../types.ts";
import type { MemberStore } from "../member-store.ts";
import { intColumn, SQLITE_CONSTRAINT_UNIQUE, type SqliteRow, sqliteErrorCode, textColumn } from "./sqlite-database.ts";

const COLUMNS = "id, username, password_hash, created_at_ms";

/** Members in SQLite; `username` is UNIQUE COLLATE NOCASE, so lookups and uniqueness ignore ASCII case. */
export class SqliteMemberStore implements MemberStore {
  readonly #insert: StatementSync;
  readonly #byId: StatementSync;
  readonly #byUsername: StatementSync;
  readonly #byIds: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO members (username, password_hash, created_at_ms) VALUES (?, ?, ?) RETURNING ${COLUMNS}`,
    );
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM members WHERE id = ?`);
    this.#byUsername = db.prepare(`SELECT ${COLUMNS} FROM members WHERE username = ?`);
    this.#byIds = db.prepare(`SELECT ${COLUMNS} FROM members WHERE id IN (SELECT value FROM json_each(?))`);
  }

  async create(input: { username: string; passwordHash: string; createdAtMs: number }): Promise<Member> {
    try {
      return toMember(this.#insert.get(input.username, input.passwordHash, input.createdAtMs)!);
    } catch (error) {
      if (sqliteErrorCode(error) === SQLITE_CONSTRAINT_UNIQUE) {
        throw new ChatError("username_taken", "username is taken", { cause: error });
      }
      throw error;
    }
  }

  async findById(id: number): Promise<Member | null> {
    const row = this.#byId.get(id);
    return row ? toMember(row) : null;
  }

  async findByUsername(username: string): Promise<Member | null> {
    const row = this.#byUsername.get(username);
    return row ? toMember(row) : null;
  }

  async findByIds(ids: readonly number[]): Promise<Member[]> {
    if (ids.length === 0) return [];
    return this.#byIds.all(JSON.stringify(ids)).map(toMember);
  }

  /** The database is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

function toMember(row: SqliteRow): Member {
  return {
    id: intColumn(row, "id"),
    username: textColumn(row, "username"),
    passwordHash: textColumn(row, "password_hash"),
    createdAtMs: intColumn(row, "created_at_ms"),
  };
}
