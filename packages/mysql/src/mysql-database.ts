import { setTimeout as sleep } from "node:timers/promises";
import { ChatError } from "@chatroom/core";
import { createPool, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from "mysql2/promise";
import { isRetryableTransactionError, isUnavailableError, mysqlErrorCode, toStoreError } from "./mysql-errors.ts";

export interface MysqlDatabaseOptions {
  /** `mysql://user:password@host:port/database`; query parameters become mysql2 options (e.g. `?connectTimeout=5000`). */
  url: string;
  /** Most connections the pool opens (default 10); further work waits for a free one. */
  poolSize?: number;
}

export type Row = Record<string, unknown>;

/** Statements with `?` placeholders (escaped by the driver; an array value expands to a list for `IN (?)`). */
export interface Queryable {
  rows(sql: string, values?: unknown[]): Promise<Row[]>;
  run(sql: string, values?: unknown[]): Promise<ResultSetHeader>;
}

/** Attempts of a transaction that keeps losing lock conflicts (deadlock, lock wait timeout) before giving up. */
const TRANSACTION_ATTEMPTS = 5;

/**
 * One mysql2 pool shared by the four stores. Driver errors leave it as ChatError("unavailable") when the server
 * cannot serve, raw otherwise (see mysql-errors.ts). A connection that failed is dropped from the pool, so the pool
 * reconnects by itself once the server is back.
 */
export class MysqlDatabase implements Queryable {
  readonly #pool: Pool;
  #closed = false;

  constructor(options: MysqlDatabaseOptions) {
    const poolSize = options.poolSize ?? 10;
    // mysql2 reads a connectionLimit of 0 as "unlimited": refuse it rather than open connections without bound.
    if (!Number.isInteger(poolSize) || poolSize < 1)
      throw new RangeError(`poolSize must be an integer ≥ 1, got ${poolSize}`);
    this.#pool = createPool({
      uri: options.url,
      connectionLimit: poolSize,
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
      // BIGINT columns (ids, seqs, ms timestamps) come back as numbers; beyond 2^53 as strings (refused by the readers).
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: "utf8mb4",
      // affectedRows counts matched rows, not changed ones: ack() and revoke() report "exists" even when the
      // row already held the value. (mysql2's default; stated because the stores depend on it.)
      flags: ["FOUND_ROWS"],
    });
  }

  async rows(sql: string, values: unknown[] = []): Promise<Row[]> {
    try {
      const [rows] = await this.#pool.query<RowDataPacket[]>(sql, values);
      return rows;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async run(sql: string, values: unknown[] = []): Promise<ResultSetHeader> {
    try {
      const [result] = await this.#pool.query<ResultSetHeader>(sql, values);
      return result;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** Runs `work` on one connection held throughout (for session state: named locks, LAST_INSERT_ID). */
  async withConnection<T>(work: (connection: Queryable) => Promise<T>): Promise<T> {
    const connection = await this.#acquire();
    try {
      return await work(queryableOf(connection));
    } catch (error) {
      if (isUnavailableError(error)) connection.destroy();
      throw toStoreError(error);
    } finally {
      connection.release();
    }
  }

  /**
   * Runs `work` in one transaction on one connection and commits. Any error rolls back; a deadlock or lock wait
   * timeout reruns the whole of `work` (it must be safe to repeat: it only talks to the database).
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactionOnce(work);
      } catch (error) {
        if (!isRetryableTransactionError(error)) throw toStoreError(error);
        if (attempt >= TRANSACTION_ATTEMPTS) {
          throw new ChatError("unavailable", `database busy (${mysqlErrorCode(error) ?? "lock conflict"})`, {
            cause: error,
          });
        }
        // Jittered backoff so that the transactions that deadlocked do not meet again in the same order.
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  async #transactionOnce<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const connection = await this.#acquire();
    try {
      await connection.beginTransaction();
      const result = await work(queryableOf(connection));
      await connection.commit();
      return result;
    } catch (error) {
      try {
        await connection.rollback();
      } catch {
        // The connection is broken (the server rolls the transaction back when it goes): never reuse it.
        connection.destroy();
      }
      throw error;
    } finally {
      connection.release();
    }
  }

  async #acquire(): Promise<PoolConnection> {
    try {
      return await this.#pool.getConnection();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** Ends every connection (waiting for the statements in flight); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

function queryableOf(connection: PoolConnection): Queryable {
  return {
    async rows(sql, values = []) {
      const [rows] = await connection.query<RowDataPacket[]>(sql, values);
      return rows;
    },
    async run(sql, values = []) {
      const [result] = await connection.query<ResultSetHeader>(sql, values);
      return result;
    },
  };
}
