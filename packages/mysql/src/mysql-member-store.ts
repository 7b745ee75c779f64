import type { Member, MemberStore } from "@chatroom/core";
import { ChatError } from "@chatroom/core";
import type { MysqlDatabase, Row } from "./mysql-database.ts";
import { ER_DUP_ENTRY, mysqlErrno } from "./mysql-errors.ts";
import { intColumn, textColumn } from "./mysql-rows.ts";

const COLUMNS = "id, username, password_hash, created_at_ms";

/**
 * Members in MySQL. `username_key` is a stored generated LOWER(username) with the UNIQUE key, so uniqueness and
 * lookups ignore case while `username` keeps the name as given.
 */
export class MysqlMemberStore implements MemberStore {
  readonly #db: MysqlDatabase;

  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  async create(input: { username: string; passwordHash: string; createdAtMs: number }): Promise<Member> {
    try {
      const result = await this.#db.run(
        "INSERT INTO members (username, password_hash, created_at_ms) VALUES (?, ?, ?)",
        [input.username, input.passwordHash, input.createdAtMs],
      );
      return {
        id: Number(result.insertId),
        username: input.username,
        passwordHash: input.passwordHash,
        createdAtMs: input.createdAtMs,
      };
    } catch (error) {
      // The only unique key besides the auto-increment id is the username's.
      if (mysqlErrno(error) === ER_DUP_ENTRY)
        throw new ChatError("username_taken", "username is taken", { cause: error });
      throw error;
    }
  }

  async findById(id: number): Promise<Member | null> {
    const [row] = await this.#db.rows(`SELECT ${COLUMNS} FROM members WHERE id = ?`, [id]);
    return row ? toMember(row) : null;
  }

  async findByUsername(username: string): Promise<Member | null> {
    // The same LOWER() under the same collation as the generated column, so both sides fold case alike.
    const [row] = await this.#db.rows(
      `SELECT ${COLUMNS} FROM members WHERE username_key = LOWER(CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin)`,
      [username],
    );
    return row ? toMember(row) : null;
  }

  async findByIds(ids: readonly number[]): Promise<Member[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.rows(`SELECT ${COLUMNS} FROM members WHERE id IN (?)`, [ids]);
    return rows.map(toMember);
  }

  /** The pool is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

function toMember(row: Row): Member {
  return {
    id: intColumn(row, "id"),
    username: textColumn(row, "username"),
    passwordHash: textColumn(row, "password_hash"),
    createdAtMs: intColumn(row, "created_at_ms"),
  };
}
