import type { Stores } from "../stores.ts";
import { migrate } from "./migrations.ts";
import { openSqliteDatabase, type SqliteDatabaseOptions } from "./sqlite-database.ts";
import { SqliteMemberStore } from "./sqlite-member-store.ts";
import { SqliteMessageStore } from "./sqlite-message-store.ts";
import { SqliteModerationStore } from "./sqlite-moderation-store.ts";
import { SqliteRoomStore } from "./sqlite-room-store.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

export interface SqliteStoresOptions extends SqliteDatabaseOptions {
  /** Database file (its directory is created) or ":memory:". */
  path: string;
}

/** Opens the database, brings its schema up to date and returns the stores over it. */
export function openSqliteStores(options: SqliteStoresOptions): Stores {
  const db = openSqliteDatabase(options.path, options);
  try {
    migrate(db);
    let closed = false;
    const messages = new SqliteMessageStore(db, options.path);
    return {
      members: new SqliteMemberStore(db),
      sessions: new SqliteSessionStore(db),
      rooms: new SqliteRoomStore(db),
      messages,
      moderation: new SqliteModerationStore(db),
      close: async () => {
        if (closed) return;
        closed = true;
        // Appends still queued are written first: their callers are waiting for them.
        await messages.close();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
