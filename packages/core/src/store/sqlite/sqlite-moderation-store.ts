import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import type { Invitation, Room, RoomRestriction } from "../../types.ts";
import type { MemberPage, ModerationStore } from "../moderation-store.ts";
import {
  changes,
  intColumn,
  nullableIntColumn,
  SQLITE_CONSTRAINT_FOREIGNKEY,
  type SqliteRow,
  sqliteErrorCode,
  textColumn,
  transaction,
} from "./sqlite-database.ts";
import { toRoom } from "./sqlite-room-store.ts";

const RESTRICTION_COLUMNS = "room_id, member_id, until_ms, by_member_id, at_ms";
const INVITATION_COLUMNS = "room_id, member_id, invited_by, at_ms";
const IN_FORCE = "(until_ms IS NULL OR until_ms > ?)";

/** One restriction table (room_bans or room_mutes): the same statements over either. */
class RestrictionTable {
  readonly upsert: StatementSync;
  readonly delete: StatementSync;
  readonly find: StatementSync;
  readonly page: StatementSync;
  readonly of: (count: number) => StatementSync;
  readonly ofMember: StatementSync;

  constructor(db: DatabaseSync, table: "room_bans" | "room_mutes") {
    this.upsert = db.prepare(
      `INSERT INTO ${table} (${RESTRICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (room_id, member_id) DO UPDATE SET
         until_ms = excluded.until_ms, by_member_id = excluded.by_member_id, at_ms = excluded.at_ms`,
    );
    this.delete = db.prepare(`DELETE FROM ${table} WHERE room_id = ? AND member_id = ? AND ${IN_FORCE}`);
    this.find = db.prepare(
      `SELECT ${RESTRICTION_COLUMNS} FROM ${table} WHERE room_id = ? AND member_id = ? AND ${IN_FORCE}`,
    );
    this.page = db.prepare(
      `SELECT ${RESTRICTION_COLUMNS} FROM ${table} WHERE room_id = ? AND ${IN_FORCE} AND member_id > ?
        ORDER BY member_id LIMIT ?`,
    );
    this.ofMember = db.prepare(`SELECT ${RESTRICTION_COLUMNS} FROM ${table} WHERE member_id = ? AND ${IN_FORCE}`);
    const byCount = new Map<number, StatementSync>();
    this.of = (count) => {
      let statement = byCount.get(count);
      if (!statement) {
        const marks = Array.from({ length: count }, () => "?").join(", ");
        statement = db.prepare(
          `SELECT ${RESTRICTION_COLUMNS} FROM ${table} WHERE room_id = ? AND ${IN_FORCE} AND member_id IN (${marks})`,
        );
        byCount.set(count, statement);
      }
      return statement;
    };
  }
}

/** Bans, mutes and invitations in SQLite (tables of migration 2). */
export class SqliteModerationStore implements ModerationStore {
  readonly #db: DatabaseSync;
  readonly #bans: RestrictionTable;
  readonly #mutes: RestrictionTable;
  readonly #endMembership: StatementSync;
  readonly #roomExists: StatementSync;
  readonly #invite: StatementSync;
  readonly #uninvite: StatementSync;
  readonly #findInvitation: StatementSync;
  readonly #invitations: StatementSync;
  readonly #invitationsOf: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#bans = new RestrictionTable(db, "room_bans");
    this.#mutes = new RestrictionTable(db, "room_mutes");
    this.#endMembership = db.prepare("DELETE FROM memberships WHERE room_id = ? AND member_id = ?");
    this.#roomExists = db.prepare("SELECT 1 FROM rooms WHERE id = ?");
    this.#invite = db.prepare(
      `INSERT INTO room_invitations (${INVITATION_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#uninvite = db.prepare("DELETE FROM room_invitations WHERE room_id = ? AND member_id = ?");
    this.#findInvitation = db.prepare(
      `SELECT ${INVITATION_COLUMNS} FROM room_invitations WHERE room_id = ? AND member_id = ?`,
    );
    this.#invitations = db.prepare(
      `SELECT ${INVITATION_COLUMNS} FROM room_invitations WHERE room_id = ? AND member_id > ?
        ORDER BY member_id LIMIT ?`,
    );
    this.#invitationsOf = db.prepare(
      `SELECT i.room_id, i.member_id, i.invited_by, i.at_ms,
              r.id, r.name, r.kind, r.is_private, r.created_by, r.created_at_ms, r.last_seq
         FROM room_invitations i JOIN rooms r ON r.id = i.room_id
        WHERE i.member_id = ?
        ORDER BY i.at_ms DESC, i.room_id LIMIT ?`,
    );
  }

  async ban(ban: RoomRestriction): Promise<{ membershipEnded: boolean }> {
    return this.#writing(ban, () =>
      transaction(this.#db, () => {
        const ended = changes(this.#endMembership.run(ban.roomId, ban.memberId)) > 0;
        this.#uninvite.run(ban.roomId, ban.memberId);
        this.#bans.upsert.run(ban.roomId, ban.memberId, ban.untilMs, ban.byMemberId, ban.atMs);
        return { membershipEnded: ended };
      }),
    );
  }

  async unban(roomId: string, memberId: number, nowMs: number): Promise<boolean> {
    return changes(this.#bans.delete.run(roomId, memberId, nowMs)) > 0;
  }

  async findBan(roomId: string, memberId: number, nowMs: number): Promise<RoomRestriction | null> {
    const row = this.#bans.find.get(roomId, memberId, nowMs);
    return row ? toRestriction(row) : null;
  }

  async bans(roomId: string, nowMs: number, page: MemberPage): Promise<RoomRestriction[]> {
    return this.#bans.page.all(roomId, nowMs, page.afterMemberId ?? 0, limitOf(page.limit)).map(toRestriction);
  }

  async mute(mute: RoomRestriction): Promise<void> {
    this.#writing(mute, () =>
      this.#mutes.upsert.run(mute.roomId, mute.memberId, mute.untilMs, mute.byMemberId, mute.atMs),
    );
  }

  async unmute(roomId: string, memberId: number, nowMs: number): Promise<boolean> {
    return changes(this.#mutes.delete.run(roomId, memberId, nowMs)) > 0;
  }

  async findMute(roomId: string, memberId: number, nowMs: number): Promise<RoomRestriction | null> {
    const row = this.#mutes.find.get(roomId, memberId, nowMs);
    return row ? toRestriction(row) : null;
  }

  async mutesOf(roomId: string, memberIds: readonly number[], nowMs: number): Promise<RoomRestriction[]> {
    const found: RoomRestriction[] = [];
    // SQLite allows 32766 parameters; chunks keep the cached statements few.
    for (let i = 0; i < memberIds.length; i += 100) {
      const chunk = memberIds.slice(i, i + 100);
      found.push(
        ...this.#mutes
          .of(chunk.length)
          .all(roomId, nowMs, ...chunk)
          .map(toRestriction),
      );
    }
    return found;
  }

  async mutesOfMember(memberId: number, nowMs: number): Promise<RoomRestriction[]> {
    return this.#mutes.ofMember.all(memberId, nowMs).map(toRestriction);
  }

  async invite(invitation: Invitation): Promise<boolean> {
    return this.#writing(
      invitation,
      () =>
        changes(this.#invite.run(invitation.roomId, invitation.memberId, invitation.invitedBy, invitation.atMs)) > 0,
    );
  }

  async uninvite(roomId: string, memberId: number): Promise<boolean> {
    return changes(this.#uninvite.run(roomId, memberId)) > 0;
  }

  async findInvitation(roomId: string, memberId: number): Promise<Invitation | null> {
    const row = this.#findInvitation.get(roomId, memberId);
    return row ? toInvitation(row) : null;
  }

  async invitations(roomId: string, page: MemberPage): Promise<Invitation[]> {
    return this.#invitations.all(roomId, page.afterMemberId ?? 0, limitOf(page.limit)).map(toInvitation);
  }

  async invitationsOf(memberId: number, limit: number): Promise<Array<{ invitation: Invitation; room: Room }>> {
    return this.#invitationsOf
      .all(memberId, limitOf(limit))
      .map((row) => ({ invitation: toInvitation(row), room: toRoom(row) }));
  }

  /** The database is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}

  /** Runs a write about (room, member), turning a foreign key failure into room_not_found / member_not_found. */
  #writing<T>(target: { roomId: string; memberId: number }, write: () => T): T {
    try {
      return write();
    } catch (error) {
      if (sqliteErrorCode(error) !== SQLITE_CONSTRAINT_FOREIGNKEY) throw error;
      if (!this.#roomExists.get(target.roomId)) {
        throw new ChatError("room_not_found", `room ${target.roomId} not found`, { cause: error });
      }
      throw new ChatError("member_not_found", `member ${target.memberId} not found`, { cause: error });
    }
  }
}

function limitOf(limit: number): number {
  return Math.max(0, Math.floor(limit));
}

function toRestriction(row: SqliteRow): RoomRestriction {
  return {
    roomId: textColumn(row, "room_id"),
    memberId: intColumn(row, "member_id"),
    untilMs: nullableIntColumn(row, "until_ms"),
    byMemberId: intColumn(row, "by_member_id"),
    atMs: intColumn(row, "at_ms"),
  };
}

function toInvitation(row: SqliteRow): Invitation {
  return {
    roomId: textColumn(row, "room_id"),
    memberId: intColumn(row, "member_id"),
    invitedBy: intColumn(row, "invited_by"),
    atMs: intColumn(row, "at_ms"),
  };
}
