import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import type { Membership, Room, RoomKind, RoomRole } from "../../types.ts";
import type { RoomStore } from "../room-store.ts";
import {
  changes,
  intColumn,
  SQLITE_CONSTRAINT_FOREIGNKEY,
  SQLITE_CONSTRAINT_PRIMARYKEY,
  SQLITE_CONSTRAINT_UNIQUE,
  type SqliteRow,
  sqliteErrorCode,
  textColumn,
} from "./sqlite-database.ts";

const ROOM_COLUMNS = "id, name, kind, is_private, created_by, created_at_ms, last_seq";
const MEMBERSHIP_COLUMNS = "room_id, member_id, joined_at_ms, acked_seq, role";

/**
 * Rooms and memberships in SQLite. A private room is stored as kind 'public' with `is_private` = 1: the kind column's
 * CHECK constraint predates private rooms, and SQLite cannot change a constraint without rebuilding the table (which
 * its foreign keys make unsafe inside a migration's transaction).
 */
export class SqliteRoomStore implements RoomStore {
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #listPublic: StatementSync;
  readonly #join: StatementSync;
  readonly #leave: StatementSync;
  readonly #isMember: StatementSync;
  readonly #members: StatementSync;
  readonly #membership: StatementSync;
  readonly #withRole: StatementSync;
  readonly #setRole: StatementSync;
  readonly #roomsOf: StatementSync;
  readonly #ack: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO rooms (id, name, kind, is_private, created_by, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING ${ROOM_COLUMNS}`,
    );
    this.#get = db.prepare(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = ?`);
    this.#listPublic = db.prepare(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE kind = 'public' AND is_private = 0 AND id > ? ORDER BY id LIMIT ?`,
    );
    this.#join = db.prepare(
      "INSERT INTO memberships (room_id, member_id, joined_at_ms, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#leave = db.prepare("DELETE FROM memberships WHERE room_id = ? AND member_id = ?");
    this.#isMember = db.prepare("SELECT 1 FROM memberships WHERE room_id = ? AND member_id = ?");
    this.#members = db.prepare(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ? AND member_id > ? ORDER BY member_id LIMIT ?`,
    );
    this.#membership = db.prepare(`SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ? AND member_id = ?`);
    this.#withRole = db.prepare(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ? AND role = ?
        ORDER BY joined_at_ms, member_id LIMIT ?`,
    );
    this.#setRole = db.prepare("UPDATE memberships SET role = ? WHERE room_id = ? AND member_id = ?");
    this.#roomsOf = db.prepare(
      `SELECT r.id, r.name, r.kind, r.is_private, r.created_by, r.created_at_ms, r.last_seq,
              m.room_id, m.member_id, m.joined_at_ms, m.acked_seq, m.role
         FROM memberships m JOIN rooms r ON r.id = m.room_id
        WHERE m.member_id = ?
        ORDER BY r.id`,
    );
    this.#ack = db.prepare("UPDATE memberships SET acked_seq = MAX(acked_seq, ?) WHERE room_id = ? AND member_id = ?");
  }

  async create(input: {
    id: string;
    name: string;
    kind: RoomKind;
    createdBy: number;
    createdAtMs: number;
  }): Promise<Room> {
    try {
      const kind = input.kind === "private" ? "public" : input.kind;
      const isPrivate = input.kind === "private" ? 1 : 0;
      return toRoom(this.#insert.get(input.id, input.name, kind, isPrivate, input.createdBy, input.createdAtMs)!);
    } catch (error) {
      const code = sqliteErrorCode(error);
      if (code === SQLITE_CONSTRAINT_PRIMARYKEY || code === SQLITE_CONSTRAINT_UNIQUE) {
        throw new ChatError("room_exists", `room ${input.id} exists`, { cause: error });
      }
      throw error;
    }
  }

  async get(id: string): Promise<Room | null> {
    const row = this.#get.get(id);
    return row ? toRoom(row) : null;
  }

  async listPublic(options: { afterId?: string; limit: number }): Promise<Room[]> {
    return this.#listPublic.all(options.afterId ?? "", limitOf(options.limit)).map(toRoom);
  }

  async join(roomId: string, memberId: number, atMs: number, role: RoomRole = "member"): Promise<boolean> {
    try {
      return changes(this.#join.run(roomId, memberId, atMs, role)) > 0;
    } catch (error) {
      if (sqliteErrorCode(error) !== SQLITE_CONSTRAINT_FOREIGNKEY) throw error;
      if (!this.#get.get(roomId)) throw new ChatError("room_not_found", `room ${roomId} not found`, { cause: error });
      throw new ChatError("member_not_found", `member ${memberId} not found`, { cause: error });
    }
  }

  async leave(roomId: string, memberId: number): Promise<boolean> {
    return changes(this.#leave.run(roomId, memberId)) > 0;
  }

  async isMember(roomId: string, memberId: number): Promise<boolean> {
    return this.#isMember.get(roomId, memberId) !== undefined;
  }

  async members(roomId: string, options: { afterMemberId?: number; limit: number }): Promise<Membership[]> {
    return this.#members.all(roomId, options.afterMemberId ?? 0, limitOf(options.limit)).map(toMembership);
  }

  async membership(roomId: string, memberId: number): Promise<Membership | null> {
    const row = this.#membership.get(roomId, memberId);
    return row ? toMembership(row) : null;
  }

  async withRole(roomId: string, role: RoomRole, limit: number): Promise<Membership[]> {
    return this.#withRole.all(roomId, role, limitOf(limit)).map(toMembership);
  }

  async setRole(roomId: string, memberId: number, role: RoomRole): Promise<boolean> {
    return changes(this.#setRole.run(role, roomId, memberId)) > 0;
  }

  async roomsOf(memberId: number): Promise<Array<{ room: Room; membership: Membership }>> {
    return this.#roomsOf.all(memberId).map((row) => ({ room: toRoom(row), membership: toMembership(row) }));
  }

  async ack(roomId: string, memberId: number, seq: number): Promise<boolean> {
    return changes(this.#ack.run(seq, roomId, memberId)) > 0;
  }

  /** The database is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

function limitOf(limit: number): number {
  return Math.max(0, Math.floor(limit));
}

export function toRoom(row: SqliteRow): Room {
  const kind = textColumn(row, "kind");
  return {
    id: textColumn(row, "id"),
    name: textColumn(row, "name"),
    kind: kind === "direct" ? "direct" : intColumn(row, "is_private") === 1 ? "private" : "public",
    createdBy: intColumn(row, "created_by"),
    createdAtMs: intColumn(row, "created_at_ms"),
    lastSeq: intColumn(row, "last_seq"),
  };
}

function toMembership(row: SqliteRow): Membership {
  return {
    roomId: textColumn(row, "room_id"),
    memberId: intColumn(row, "member_id"),
    joinedAtMs: intColumn(row, "joined_at_ms"),
    ackedSeq: intColumn(row, "acked_seq"),
    role: roleOf(textColumn(row, "role")),
  };
}

export function roleOf(value: string): RoomRole {
  return value === "owner" || value === "moderator" ? value : "member";
}
