import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStores } from "@chatroom/core";
import { multiProcessAppendCases } from "@chatroom/core/testing";

// SQLite stays safe with several processes on one file: each batch holds the file's write lock (BEGIN IMMEDIATE)
// from its counter moves to its commit, and the others wait on the busy timeout.
multiProcessAppendCases(
  "SQLite stores shared by several processes",
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "chatroom-sqlite-mp-"));
    const path = join(dir, "chat.db");
    const stores = openSqliteStores({ path });
    return {
      stores,
      target: path,
      cleanup: async () => {
        await stores.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { workerScript: join(import.meta.dirname, "support", "sqlite-append-worker.ts") },
);
