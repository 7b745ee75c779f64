import {
  ChatError,
  type Invitation,
  type MemberPage,
  type ModerationStore,
  type Room,
  type RoomRestriction,
} from "@chatroom/core";
import type { MysqlDatabase, Queryable, Row } from "./mysql-database.ts";
import { ER_DUP_ENTRY, ER_NO_REFERENCED_ROW_2, mysqlErrno } from "./mysql-errors.ts";
import { toRoom } from "./mysql-room-store.ts";
import { intColumn, limitOf, nullableIntColumn, textColumn } from "./mysql-rows.ts";

const RESTRICTION_COLUMNS = "room_id, member_id, until_ms, by_member_id, at_ms";
const INVITATION_COLUMNS = "room_id, member_id, invited_by, at_ms";
const IN_FORCE = "(until_ms IS NULL OR until_ms > ?)";

type RestrictionTable = "room_bans" | "room_mutes";

/** Bans, mutes and invitations in MySQL (tables of migration 2). */
export class MysqlModerationStore implements ModerationStore {
  readonly #db: MysqlDatabase;

  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  async ban(ban: RoomRestriction): Promise<{ membershipEnded: boolean }> {
    return this.#writing(ban, () =>
      this.#db.transaction(async (tx) => {
        const ended = await tx.run("DELETE FROM memberships WHERE room_id = ? AND member_id = ?", [
          ban.roomId,
          ban.memberId,
        ]);
        await tx.run("DELETE FROM room_invitations WHERE room_id = ? AND member_id = ?", [ban.roomId, ban.memberId]);
        await upsert(tx, "room_bans", ban);
        return { membershipEnded: ended.affectedRows > 0 };
      }),
    );
  }

  unban(roomId: string, memberId: number, nowMs: number): Promise<boolean> {
    return this.#lift("room_bans", roomId, memberId, nowMs);
  }

  findBan(roomId: string, memberId: number, nowMs: number): Promise<RoomRestriction | null> {
    return this.#find("room_bans", roomId, memberId, nowMs);
  }

  async bans(roomId: string, nowMs: number, page: MemberPage): Promise<RoomRestriction[]> {
    const rows = await this.#db.rows(
      `SELECT ${RESTRICTION_COLUMNS} FROM room_bans WHERE room_id = ? AND ${IN_FORCE} AND member_id > ?
        ORDER BY member_id LIMIT ?`,
      [roomId, nowMs, page.afterMemberId ?? 0, limitOf(page.limit)],
    );
    return rows.map(toRestriction);
  }

  async mute(mute: RoomRestriction): Promise<void> {
    await this.#writing(mute, () => upsert(this.#db, "room_mutes", mute));
  }

  unmute(roomId: string, memberId: number, nowMs: number): Promise<boolean> {
    return this.#lift("room_mutes", roomId, memberId, nowMs);
  }

  findMute(roomId: string, memberId: number, nowMs: number): Promise<RoomRestriction | null> {
    return this.#find("room_mutes", roomId, memberId, nowMs);
  }

  async mutesOf(roomId: string, memberIds: readonly number[], nowMs: number): Promise<RoomRestriction[]> {
    if (memberIds.length === 0) return [];
    const rows = await this.#db.rows(
      `SELECT ${RESTRICTION_COLUMNS} FROM room_mutes WHERE room_id = ? AND ${IN_FORCE} AND member_id IN (?)`,
      [roomId, nowMs, [...memberIds]],
    );
    return rows.map(toRestriction);
  }

  async mutesOfMember(memberId: number, nowMs: number): Promise<RoomRestriction[]> {
    const rows = await this.#db.rows(
      `SELECT ${RESTRICTION_COLUMNS} FROM room_mutes WHERE member_id = ? AND ${IN_FORCE}`,
      [memberId, nowMs],
    );
    return rows.map(toRestriction);
  }

  async invite(invitation: Invitation): Promise<boolean> {
    // A plain INSERT (INSERT IGNORE would also swallow the foreign key errors): a duplicate key means "invited".
    try {
      await this.#writing(invitation, () =>
        this.#db.run(`INSERT INTO room_invitations (${INVITATION_COLUMNS}) VALUES (?, ?, ?, ?)`, [
          invitation.roomId,
          invitation.memberId,
          invitation.invitedBy,
          invitation.atMs,
        ]),
      );
      return true;
    } catch (error) {
      if (mysqlErrno(error) === ER_DUP_ENTRY) return false;
      throw error;
    }
  }

  async uninvite(roomId: string, memberId: number): Promise<boolean> {
    const result = await this.#db.run("DELETE FROM room_invitations WHERE room_id = ? AND member_id = ?", [
      roomId,
      memberId,
    ]);
    return result.affectedRows > 0;
  }

  async findInvitation(roomId: string, memberId: number): Promise<Invitation | null> {
    const [row] = await this.#db.rows(
      `SELECT ${INVITATION_COLUMNS} FROM room_invitations WHERE room_id = ? AND member_id = ?`,
      [roomId, memberId],
    );
    return row ? toInvitation(row) : null;
  }

  async invitations(roomId: string, page: MemberPage): Promise<Invitation[]> {
    const rows = await this.#db.rows(
      `SELECT ${INVITATION_COLUMNS} FROM room_invitations WHERE room_id = ? AND member_id > ?
        ORDER BY member_id LIMIT ?`,
      [roomId, page.afterMemberId ?? 0, limitOf(page.limit)],
    );
    return rows.map(toInvitation);
  }

  async invitationsOf(memberId: number, limit: number): Promise<Array<{ invitation: Invitation; room: Room }>> {
    const rows = await this.#db.rows(
      `SELECT i.room_id, i.member_id, i.invited_by, i.at_ms,
              r.id, r.name, r.kind, r.is_private, r.created_by, r.created_at_ms, r.last_seq
         FROM room_invitations i JOIN rooms r ON r.id = i.room_id
        WHERE i.member_id = ?
        ORDER BY i.at_ms DESC, i.room_id LIMIT ?`,
      [memberId, limitOf(limit)],
    );
    return rows.map((row) => ({ invitation: toInvitation(row), room: toRoom(row) }));
  }

  /** The pool is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}

  async #lift(table: RestrictionTable, roomId: string, memberId: number, nowMs: number): Promise<boolean> {
    const result = await this.#db.run(`DELETE FROM ${table} WHERE room_id = ? AND member_id = ? AND ${IN_FORCE}`, [
      roomId,
      memberId,
      nowMs,
    ]);
    return result.affectedRows > 0;
  }

  async #find(table: RestrictionTable, roomId: string, memberId: number, nowMs: number) {
    const [row] = await this.#db.rows(
      `SELECT ${RESTRICTION_COLUMNS} FROM ${table} WHERE room_id = ? AND member_id = ? AND ${IN_FORCE}`,
      [roomId, memberId, nowMs],
    );
    return row ? toRestriction(row) : null;
  }

  /** Runs a write about (room, member), turning a foreign key failure into room_not_found / member_not_found. */
  async #writing<T>(target: { roomId: string; memberId: number }, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (mysqlErrno(error) !== ER_NO_REFERENCED_ROW_2) throw error;
      const room = await this.#db.rows("SELECT 1 AS found FROM rooms WHERE id = ?", [target.roomId]);
      if (room.length === 0) throw new ChatError("room_not_found", `room ${target.roomId} not found`, { cause: error });
      throw new ChatError("member_not_found", `member ${target.memberId} not found`, { cause: error });
    }
  }
}

function upsert(db: Queryable, table: RestrictionTable, restriction: RoomRestriction) {
  return db.run(
    `INSERT INTO ${table} (${RESTRICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE until_ms = VALUES(until_ms), by_member_id = VALUES(by_member_id), at_ms = VALUES(at_ms)`,
    [restriction.roomId, restriction.memberId, restriction.untilMs, restriction.byMemberId, restriction.atMs],
  );
}

function toRestriction(row: Row): RoomRestriction {
  return {
    roomId: textColumn(row, "room_id"),
    memberId: intColumn(row, "member_id"),
    untilMs: nullableIntColumn(row, "until_ms"),
    byMemberId: intColumn(row, "by_member_id"),
    atMs: intColumn(row, "at_ms"),
  };
}

function toInvitation(row: Row): Invitation {
  return {
    roomId: textColumn(row, "room_id"),
    memberId: intColumn(row, "member_id"),
    invitedBy: intColumn(row, "invited_by"),
    atMs: intColumn(row, "at_ms"),
  };
}
