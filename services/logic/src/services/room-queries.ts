import { ChatError, type Membership, type Presence, parseDirectRoomId, type Room, type Stores } from "@chatroom/core";
import type { MemberRoom } from "./views.ts";

export interface RoomMemberView {
  id: number;
  username: string;
  joinedAtMs: number;
  ackedSeq: number;
  /** At least one live connection of the member is subscribed to the room. */
  online: boolean;
  /** null in direct conversations. */
  role: Membership["role"] | null;
  /** The member's mute in force, or null. */
  mute: { untilMs: number | null } | null;
}

export interface RoomDetails extends MemberRoom {
  /** Whether the viewer belongs to the room. */
  member: boolean;
  /** Whether the viewer holds an invitation to the (private) room. */
  invited: boolean;
  online: number;
}

/**
 * What members read about rooms: one room, its members, one's own rooms — with roles, mutes and online state.
 * Public rooms are visible to everyone, private rooms to their members and invitees, direct conversations to their
 * two members; to anyone else a room they may not see does not exist (room_not_found).
 */
export class RoomQueries {
  readonly #stores: Stores;
  readonly #presence: Presence;
  readonly #now: () => number;

  constructor(deps: { stores: Stores; presence: Presence; now: () => number }) {
    this.#stores = deps.stores;
    this.#presence = deps.presence;
    this.#now = deps.now;
  }

  async details(viewerId: number, roomId: string): Promise<RoomDetails> {
    const { room, membership, invited } = await this.#visible(viewerId, roomId);
    const group = membership !== null && room.kind !== "direct";
    const [peer, counts, mute] = await Promise.all([
      this.#peerOf(room, viewerId),
      this.#presence.onlineCounts([room.id]),
      group ? this.findMute(room.id, viewerId) : null,
    ]);
    return {
      room,
      ackedSeq: membership?.ackedSeq ?? 0,
      peer,
      role: group ? membership.role : null,
      mute,
      member: membership !== null,
      invited,
      online: counts.get(room.id) ?? 0,
    };
  }

  async members(
    viewerId: number,
    roomId: string,
    afterMemberId: number | undefined,
    limit: number,
  ): Promise<RoomMemberView[]> {
    const { room } = await this.#visible(viewerId, roomId);
    const memberships = await this.#stores.rooms.members(
      room.id,
      afterMemberId === undefined ? { limit } : { afterMemberId, limit },
    );
    const ids = memberships.map((m) => m.memberId);
    const [members, connections, mutes] = await Promise.all([
      this.#stores.members.findByIds(ids),
      this.#presence.locateMembers(ids),
      room.kind === "direct" ? [] : this.#stores.moderation.mutesOf(room.id, ids, this.#now()),
    ]);
    const names = new Map(members.map((m) => [m.id, m.username]));
    const online = new Set(connections.filter((c) => c.rooms.includes(room.id)).map((c) => c.memberId));
    const muted = new Map(mutes.map((m) => [m.memberId, { untilMs: m.untilMs }]));
    return memberships.map((m) => ({
      id: m.memberId,
      username: names.get(m.memberId) ?? "",
      joinedAtMs: m.joinedAtMs,
      ackedSeq: m.ackedSeq,
      online: online.has(m.memberId),
      role: room.kind === "direct" ? null : m.role,
      mute: muted.get(m.memberId) ?? null,
    }));
  }

  /** Every room of the member (public, private and direct), peers, roles and mutes resolved, ordered by room id. */
  async roomsOf(memberId: number): Promise<MemberRoom[]> {
    const [rooms, mutes] = await Promise.all([
      this.#stores.rooms.roomsOf(memberId),
      this.#stores.moderation.mutesOfMember(memberId, this.#now()),
    ]);
    const muted = new Map(mutes.map((m) => [m.roomId, { untilMs: m.untilMs }]));
    const peerIds = rooms.map((r) => otherMember(r.room.id, memberId)).filter((id): id is number => id !== null);
    const peers = new Map((await this.#stores.members.findByIds(peerIds)).map((m) => [m.id, m]));
    return rooms
      .map(({ room, membership }): MemberRoom => {
        const peerId = otherMember(room.id, memberId);
        const peer = peerId === null ? undefined : peers.get(peerId);
        return {
          room,
          ackedSeq: membership.ackedSeq,
          peer: peer ? { id: peer.id, username: peer.username } : null,
          role: room.kind === "direct" ? null : membership.role,
          mute: muted.get(room.id) ?? null,
        };
      })
      .sort((a, b) => (a.room.id < b.room.id ? -1 : a.room.id > b.room.id ? 1 : 0));
  }

  /** The room as the member sees it; not_member when they do not belong to it. */
  async memberRoom(memberId: number, roomId: string): Promise<MemberRoom> {
    const room = await this.#stores.rooms.get(roomId);
    if (!room) throw new ChatError("room_not_found", `room ${roomId} does not exist`);
    const membership = await this.#stores.rooms.membership(roomId, memberId);
    if (!membership) throw new ChatError("not_member", `not a member of ${roomId}`);
    const direct = room.kind === "direct";
    const [peer, mute] = await Promise.all([
      this.#peerOf(room, memberId),
      direct ? null : this.findMute(roomId, memberId),
    ]);
    return { room, ackedSeq: membership.ackedSeq, peer, role: direct ? null : membership.role, mute };
  }

  /** The member's mute in force in the room, as views carry it. */
  async findMute(roomId: string, memberId: number): Promise<{ untilMs: number | null } | null> {
    const mute = await this.#stores.moderation.findMute(roomId, memberId, this.#now());
    return mute ? { untilMs: mute.untilMs } : null;
  }

  async #visible(viewerId: number, roomId: string) {
    const room = await this.#stores.rooms.get(roomId);
    const pair = parseDirectRoomId(roomId);
    const missing = () => new ChatError("room_not_found", `room ${roomId} does not exist`);
    if (!room || (pair && !pair.includes(viewerId))) throw missing();
    const membership = await this.#stores.rooms.membership(roomId, viewerId);
    let invited = false;
    if (room.kind === "private" && !membership) {
      invited = (await this.#stores.moderation.findInvitation(roomId, viewerId)) !== null;
      if (!invited) throw missing();
    }
    return { room, membership, invited };
  }

  async #peerOf(room: Room, viewerId: number): Promise<MemberRoom["peer"]> {
    const peerId = otherMember(room.id, viewerId);
    if (peerId === null) return null;
    const peer = await this.#stores.members.findById(peerId);
    return peer ? { id: peer.id, username: peer.username } : null;
  }
}

/** The other member of a direct conversation, or null for other rooms. */
export function otherMember(roomId: string, memberId: number): number | null {
  const pair = parseDirectRoomId(roomId);
  if (!pair) return null;
  return pair[0] === memberId ? pair[1] : pair[0];
}
