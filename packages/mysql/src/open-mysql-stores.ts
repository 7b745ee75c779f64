import type { Stores } from "@chatroom/core";
import { MysqlDatabase, type MysqlDatabaseOptions } from "./mysql-database.ts";
import { MysqlMemberStore } from "./mysql-member-store.ts";
import { MysqlMessageStore, type MysqlMessageStoreOptions } from "./mysql-message-store.ts";
import { assertMysqlSchemaCurrent, migrateMysql } from "./mysql-migrations.ts";
import { MysqlModerationStore } from "./mysql-moderation-store.ts";
import { MysqlRoomStore } from "./mysql-room-store.ts";
import { MysqlSessionStore } from "./mysql-session-store.ts";

export interface MysqlStoresOptions extends MysqlDatabaseOptions, MysqlMessageStoreOptions {
  /**
   * Apply pending migrations while opening (default false). Otherwise the schema version is checked and an older
   * schema is refused with "run npm run migrate", so that a fleet of processes never migrates behind one's back.
   */
  migrate?: boolean;
}

/**
 * Opens one pool, migrates or checks the schema, and returns the stores over it. Rejects with
 * ChatError("unavailable") when the server cannot be reached; close() ends the pool.
 */
export async function openMysqlStores(options: MysqlStoresOptions): Promise<Stores> {
  const db = new MysqlDatabase(options);
  try {
    if (options.migrate === true) await migrateMysql(db);
    else await assertMysqlSchemaCurrent(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const messages = new MysqlMessageStore(db, options);
  let closing: Promise<void> | null = null;
  return {
    members: new MysqlMemberStore(db),
    sessions: new MysqlSessionStore(db),
    rooms: new MysqlRoomStore(db),
    messages,
    moderation: new MysqlModerationStore(db),
    close: () => {
      // Appends still queued are written first: their callers are waiting for them.
      closing ??= messages.close().then(() => db.close());
      return closing;
    },
  };
}
