import type { Session, SessionStore } from "@chatroom/core";
import { ChatError } from "@chatroom/core";
import type { MysqlDatabase, Row } from "./mysql-database.ts";
import { ER_DUP_ENTRY, ER_NO_REFERENCED_ROW_2, mysqlErrno } from "./mysql-errors.ts";
import { intColumn, nullableIntColumn, textColumn } from "./mysql-rows.ts";

const COLUMNS = "id, member_id, created_at_ms, expires_at_ms, revoked_at_ms";
const PURGE_CHUNK = 1000;

/**
 * Sessions in MySQL. Every call reads the primary (no cache), so a committed revocation is visible to the next
 * find() of any process.
 */
export class MysqlSessionStore implements SessionStore {
  readonly #db: MysqlDatabase;

  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  async create(session: Omit<Session, "revokedAtMs">): Promise<Session> {
    try {
      await this.#db.run("INSERT INTO sessions (id, member_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)", [
        session.id,
        session.memberId,
        session.createdAtMs,
        session.expiresAtMs,
      ]);
    } catch (error) {
      const errno = mysqlErrno(error);
      if (errno === ER_NO_REFERENCED_ROW_2) throw new ChatError("member_not_found", "no such member", { cause: error });
      if (errno === ER_DUP_ENTRY) throw new ChatError("conflict", "session id exists", { cause: error });
      throw error;
    }
    return {
      id: session.id,
      memberId: session.memberId,
      createdAtMs: session.createdAtMs,
      expiresAtMs: session.expiresAtMs,
      revokedAtMs: null,
    };
  }

  async find(id: string): Promise<Session | null> {
    const [row] = await this.#db.rows(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`, [id]);
    return row ? toSession(row) : null;
  }

  async revoke(id: string, atMs: number): Promise<boolean> {
    // The first revocation time is kept; affectedRows counts matched rows (FOUND_ROWS), so a repeat still says true.
    const result = await this.#db.run("UPDATE sessions SET revoked_at_ms = COALESCE(revoked_at_ms, ?) WHERE id = ?", [
      atMs,
      id,
    ]);
    return result.affectedRows > 0;
  }

  async deleteExpired(nowMs: number): Promise<number> {
    // In chunks, so a large purge never holds many row locks or a long undo log at once.
    let deleted = 0;
    for (;;) {
      const result = await this.#db.run("DELETE FROM sessions WHERE expires_at_ms < ? LIMIT ?", [nowMs, PURGE_CHUNK]);
      deleted += result.affectedRows;
      if (result.affectedRows < PURGE_CHUNK) return deleted;
    }
  }

  /** The pool is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

function toSession(row: Row): Session {
  return {
    id: textColumn(row, "id"),
    memberId: intColumn(row, "member_id"),
    createdAtMs: intColumn(row, "created_at_ms"),
    expiresAtMs: intColumn(row, "expires_at_ms"),
    revokedAtMs: nullableIntColumn(row, "revoked_at_ms"),
  };
}
