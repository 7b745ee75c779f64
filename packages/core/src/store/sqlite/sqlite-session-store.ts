import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import type { Session } from "../../types.ts";
import type { SessionStore } from "../session-store.ts";
import {
  changes,
  intColumn,
  nullableIntColumn,
  SQLITE_CONSTRAINT_FOREIGNKEY,
  type SqliteRow,
  sqliteErrorCode,
  textColumn,
} from "./sqlite-database.ts";

const COLUMNS = "id, member_id, created_at_ms, expires_at_ms, revoked_at_ms";

/** Sessions in SQLite. Every call reads the database, so a revocation is visible to the next find(). */
export class SqliteSessionStore implements SessionStore {
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #revoke: StatementSync;
  readonly #deleteExpired: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO sessions (id, member_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
    );
    this.#find = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`);
    // The first revocation time is kept: revoking again changes nothing but still reports the session exists.
    this.#revoke = db.prepare("UPDATE sessions SET revoked_at_ms = COALESCE(revoked_at_ms, ?) WHERE id = ?");
    this.#deleteExpired = db.prepare("DELETE FROM sessions WHERE expires_at_ms < ?");
  }

  async create(session: Omit<Session, "revokedAtMs">): Promise<Session> {
    try {
      return toSession(this.#insert.get(session.id, session.memberId, session.createdAtMs, session.expiresAtMs)!);
    } catch (error) {
      if (sqliteErrorCode(error) === SQLITE_CONSTRAINT_FOREIGNKEY) {
        throw new ChatError("member_not_found", "no such member", { cause: error });
      }
      throw error;
    }
  }

  async find(id: string): Promise<Session | null> {
    const row = this.#find.get(id);
    return row ? toSession(row) : null;
  }

  async revoke(id: string, atMs: number): Promise<boolean> {
    return changes(this.#revoke.run(atMs, id)) > 0;
  }

  async deleteExpired(nowMs: number): Promise<number> {
    return changes(this.#deleteExpired.run(nowMs));
  }

  /** The database is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

function toSession(row: SqliteRow): Session {
  return {
    id: textColumn(row, "id"),
    memberId: intColumn(row, "member_id"),
    createdAtMs: intColumn(row, "created_at_ms"),
    expiresAtMs: intColumn(row, "expires_at_ms"),
    revokedAtMs: nullableIntColumn(row, "revoked_at_ms"),
  };
}
