import type { Closable } from "../lifecycle.ts";
import type { MemberStore } from "./member-store.ts";
import type { MessageStore } from "./message-store.ts";
import type { ModerationStore } from "./moderation-store.ts";
import type { RoomStore } from "./room-store.ts";
import type { SessionStore } from "./session-store.ts";

/** The stores opened together over one database (SQLite file, MySQL pool); close() closes it. */
export interface Stores extends Closable {
  members: MemberStore;
  sessions: SessionStore;
  rooms: RoomStore;
  messages: MessageStore;
  moderation: ModerationStore;
}
