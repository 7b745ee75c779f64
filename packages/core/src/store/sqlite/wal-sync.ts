import { type FileHandle, open } from "node:fs/promises";
import type { DatabaseSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import { transaction } from "./sqlite-database.ts";

/**
 * Write transactions whose fsync runs off the event loop. The connection is in WAL mode with synchronous=FULL,
 * where every COMMIT fsyncs the WAL file on the calling thread — the event loop, which then reads no request and
 * writes no frame for the duration. For the message batches, `transaction` runs with synchronous=NORMAL (the
 * COMMIT only writes the WAL; checkpoints still sync as usual) and `sync` then fsyncs the WAL file from libuv's
 * thread pool. fsync flushes the file whatever descriptor wrote it, and the WAL file is not replaced while a
 * connection is open (a checkpoint rewinds it in place). Between the COMMIT and the fsync another reader of the
 * database may see the rows; the message store pushes and acknowledges them only after the fsync.
 *
 * Contract: every transaction run through `transaction` is durable once a `sync` begun after it has resolved;
 * `sync` rejects with `unavailable` when the fsync fails (the rows may be stored: callers retry with their
 * idempotency keys). For ":memory:" databases there is no file: plain transactions, and `sync` does nothing.
 */
export class WalSync {
  readonly #db: DatabaseSync;
  readonly #walPath: string | null;
  #handle: Promise<FileHandle> | null = null;

  constructor(db: DatabaseSync, path: string) {
    this.#db = db;
    this.#walPath = path === ":memory:" || path.startsWith("file:") ? null : `${path}-wal`;
  }

  /** `work` in one write transaction (see the module's `transaction`), committed without an fsync. */
  transaction<T>(work: () => T): T {
    if (!this.#walPath) return transaction(this.#db, work);
    this.#db.exec("PRAGMA synchronous = NORMAL");
    try {
      return transaction(this.#db, work);
    } finally {
      this.#db.exec("PRAGMA synchronous = FULL");
    }
  }

  /** Makes every transaction committed so far durable. */
  async sync(): Promise<void> {
    if (!this.#walPath) return;
    try {
      this.#handle ??= open(this.#walPath, "r");
      await (await this.#handle).datasync();
    } catch (error) {
      this.#handle = null;
      throw new ChatError("unavailable", `could not sync the message log to disk: ${String(error)}`);
    }
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    if (handle) await (await handle).close().catch(() => {});
  }
}
