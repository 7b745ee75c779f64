import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync, type SQLOutputValue } from "node:sqlite";

export interface SqliteDatabaseOptions {
  /** How long a writer waits for another connection's lock before failing with SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Extended result codes of constraint failures (https://sqlite.org/rescode.html). */
export const SQLITE_CONSTRAINT_FOREIGNKEY = 787;
export const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
export const SQLITE_CONSTRAINT_UNIQUE = 2067;

/**
 * Opens a SQLite database file (creating its directory) or ":memory:", in WAL mode with foreign keys enforced.
 * synchronous=FULL: a resolved write survives power loss, as the stores' "durable" contract requires.
 */
export function openSqliteDatabase(path: string, options: SqliteDatabaseOptions = {}): DatabaseSync {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (path !== ":memory:" && !path.startsWith("file:")) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs });
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE takes the write lock up front, so concurrent writers
 * queue on the busy timeout instead of failing on lock upgrade). `work` must be synchronous.
 */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** The SQLite extended result code of an error thrown by node:sqlite, if it is one. */
export function sqliteErrorCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("errcode" in error)) return undefined;
  return typeof error.errcode === "number" ? error.errcode : undefined;
}

export type SqliteRow = Record<string, SQLOutputValue>;

export function intColumn(row: SqliteRow, column: string): number {
  const value = row[column];
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  throw new TypeError(`column ${column} is not an integer`);
}

export function nullableIntColumn(row: SqliteRow, column: string): number | null {
  return row[column] === null ? null : intColumn(row, column);
}

export function textColumn(row: SqliteRow, column: string): string {
  const value = row[column];
  if (typeof value === "string") return value;
  throw new TypeError(`column ${column} is not text`);
}

/** Rows changed by a statement, as a number. */
export function changes(result: { changes: number | bigint }): number {
  return Number(result.changes);
}
