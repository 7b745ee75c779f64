import type { Membership, Room, RoomKind, RoomRole, RoomStore } from "@chatroom/core";
import { ChatError } from "@chatroom/core";
import type { MysqlDatabase, Row } from "./mysql-database.ts";
import { ER_DUP_ENTRY, ER_NO_REFERENCED_ROW_2, mysqlErrno } from "./mysql-errors.ts";
import { intColumn, limitOf, textColumn } from "./mysql-rows.ts";

const ROOM_COLUMNS = "id, name, kind, is_private, created_by, created_at_ms, last_seq";
const MEMBERSHIP_COLUMNS = "room_id, member_id, joined_at_ms, acked_seq, role";

/** Rooms and memberships in MySQL (a private room: kind 'public' with is_private = 1, as in SQLite). */
export class MysqlRoomStore implements RoomStore {
  readonly #db: MysqlDatabase;

  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  async create(input: {
    id: string;
    name: string;
    kind: RoomKind;
    createdBy: number;
    createdAtMs: number;
  }): Promise<Room> {
    try {
      await this.#db.run(
        "INSERT INTO rooms (id, name, kind, is_private, created_by, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
        [
          input.id,
          input.name,
          input.kind === "private" ? "public" : input.kind,
          input.kind === "private" ? 1 : 0,
          input.createdBy,
          input.createdAtMs,
        ],
      );
    } catch (error) {
      if (mysqlErrno(error) === ER_DUP_ENTRY) {
        throw new ChatError("room_exists", `room ${input.id} exists`, { cause: error });
      }
      throw error;
    }
    return {
      id: input.id,
      name: input.name,
      kind: input.kind,
      createdBy: input.createdBy,
      createdAtMs: input.createdAtMs,
      lastSeq: 0,
    };
  }

  async get(id: string): Promise<Room | null> {
    const [row] = await this.#db.rows(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = ?`, [id]);
    return row ? toRoom(row) : null;
  }

  async listPublic(options: { afterId?: string; limit: number }): Promise<Room[]> {
    const rows = await this.#db.rows(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE kind = 'public' AND is_private = 0 AND id > ? ORDER BY id LIMIT ?`,
      [options.afterId ?? "", limitOf(options.limit)],
    );
    return rows.map(toRoom);
  }

  async join(roomId: string, memberId: number, atMs: number, role: RoomRole = "member"): Promise<boolean> {
    try {
      // A plain INSERT (not INSERT IGNORE, which would also swallow the foreign key errors): a duplicate key means
      // the member was in the room already.
      await this.#db.run("INSERT INTO memberships (room_id, member_id, joined_at_ms, role) VALUES (?, ?, ?, ?)", [
        roomId,
        memberId,
        atMs,
        role,
      ]);
      return true;
    } catch (error) {
      const errno = mysqlErrno(error);
      if (errno === ER_DUP_ENTRY) return false;
      if (errno !== ER_NO_REFERENCED_ROW_2) throw error;
      if (!(await this.get(roomId)))
        throw new ChatError("room_not_found", `room ${roomId} not found`, { cause: error });
      throw new ChatError("member_not_found", `member ${memberId} not found`, { cause: error });
    }
  }

  async leave(roomId: string, memberId: number): Promise<boolean> {
    const result = await this.#db.run("DELETE FROM memberships WHERE room_id = ? AND member_id = ?", [
      roomId,
      memberId,
    ]);
    return result.affectedRows > 0;
  }

  async isMember(roomId: string, memberId: number): Promise<boolean> {
    const rows = await this.#db.rows("SELECT 1 AS found FROM memberships WHERE room_id = ? AND member_id = ?", [
      roomId,
      memberId,
    ]);
    return rows.length > 0;
  }

  async members(roomId: string, options: { afterMemberId?: number; limit: number }): Promise<Membership[]> {
    const rows = await this.#db.rows(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ? AND member_id > ? ORDER BY member_id LIMIT ?`,
      [roomId, options.afterMemberId ?? 0, limitOf(options.limit)],
    );
    return rows.map(toMembership);
  }

  async membership(roomId: string, memberId: number): Promise<Membership | null> {
    const [row] = await this.#db.rows(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ? AND member_id = ?`,
      [roomId, memberId],
    );
    return row ? toMembership(row) : null;
  }

  async withRole(roomId: string, role: RoomRole, limit: number): Promise<Membership[]> {
    const rows = await this.#db.rows(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ? AND role = ?
        ORDER BY joined_at_ms, member_id LIMIT ?`,
      [roomId, role, limitOf(limit)],
    );
    return rows.map(toMembership);
  }

  async setRole(roomId: string, memberId: number, role: RoomRole): Promise<boolean> {
    const result = await this.#db.run("UPDATE memberships SET role = ? WHERE room_id = ? AND member_id = ?", [
      role,
      roomId,
      memberId,
    ]);
    return result.affectedRows > 0;
  }

  async roomsOf(memberId: number): Promise<Array<{ room: Room; membership: Membership }>> {
    const rows = await this.#db.rows(
      `SELECT r.id, r.name, r.kind, r.is_private, r.created_by, r.created_at_ms, r.last_seq,
              m.room_id, m.member_id, m.joined_at_ms, m.acked_seq, m.role
         FROM memberships m JOIN rooms r ON r.id = m.room_id
        WHERE m.member_id = ?
        ORDER BY r.id`,
      [memberId],
    );
    return rows.map((row) => ({ room: toRoom(row), membership: toMembership(row) }));
  }

  async ack(roomId: string, memberId: number, seq: number): Promise<boolean> {
    // GREATEST keeps the cursor from moving back; affectedRows counts matched rows (FOUND_ROWS), so an ack that
    // changes nothing still reports that the member is in the room.
    const result = await this.#db.run(
      "UPDATE memberships SET acked_seq = GREATEST(acked_seq, ?) WHERE room_id = ? AND member_id = ?",
      [seq, roomId, memberId],
    );
    return result.affectedRows > 0;
  }

  /** The pool is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

export function toRoom(row: Row): Room {
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

function toMembership(row: Row): Membership {
  return {
    roomId: textColumn(row, "room_id"),
    memberId: intColumn(row, "member_id"),
    joinedAtMs: intColumn(row, "joined_at_ms"),
    ackedSeq: intColumn(row, "acked_seq"),
    role: roleOf(textColumn(row, "role")),
  };
}

function roleOf(value: string): RoomRole {
  return value === "owner" || value === "moderator" ? value : "member";
}
