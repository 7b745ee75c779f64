import {
  ChatError,
  directRoomId,
  type Member,
  type Membership,
  type Presence,
  parseDirectRoomId,
  type RateLimiter,
  type RateRule,
  type Room,
  type Stores,
} from "@chatroom/core";
import { RoomEventType } from "@chatroom/proto/protocol";
import type { MembershipCache, RoomRef } from "../cache/membership-cache.ts";
import type { Publisher } from "./publisher.ts";
import type { PushCoalescer } from "./push-coalescer.ts";
import { LOBBY_ROOM_ID, validatePublicRoomId, validateRoomId, validateRoomName } from "./room-ids.ts";
import { type MemberRoom, toRoomInfo } from "./views.ts";

export interface RoomMemberView {
  id: number;
  username: string;
  joinedAtMs: number;
  ackedSeq: number;
  /** At least one live connection of the member is subscribed to the room. */
  online: boolean;
}

export interface RoomDetails extends MemberRoom {
  /** Whether the viewer belongs to the room. */
  member: boolean;
  online: number;
}

interface RoomServiceDeps {
  stores: Stores;
  presence: Presence;
  publisher: Publisher;
  online: PushCoalescer;
  memberships: MembershipCache;
  rateLimiter: RateLimiter;
  /** Rooms a member may create (public rooms and new direct conversations). */
  createRate: RateRule;
  /** Public rooms a member may belong to. */
  maxRoomsPerMember: number;
  now: () => number;
}

/**
 * Rooms and membership. Every membership change is applied in this order: RoomStore, then presence (all of the
 * member's live connections), then an OP_EVENT push to the member (their comets follow it) and one to the room.
 */
export class RoomService {
  readonly #deps: RoomServiceDeps;
  readonly #stores: Stores;
  readonly #presence: Presence;
  readonly #publisher: Publisher;
  readonly #now: () => number;

  constructor(deps: RoomServiceDeps) {
    this.#deps = deps;
    this.#stores = deps.stores;
    this.#presence = deps.presence;
    this.#publisher = deps.publisher;
    this.#now = deps.now;
  }

  /** Creates the `lobby` room when missing; safe to race with other logic instances. */
  async ensureLobby(): Promise<void> {
    if (await this.#stores.rooms.get(LOBBY_ROOM_ID)) return;
    await this.#createIgnoringRace({ id: LOBBY_ROOM_ID, name: "Lobby", kind: "public", createdBy: 0 });
  }

  /** A new public room; the creator joins it. */
  async create(creator: Member, roomId: unknown, name: unknown): Promise<MemberRoom> {
    const id = validatePublicRoomId(roomId);
    const roomName = validateRoomName(name, id);
    await this.#checkRoomQuota(creator.id);
    await this.#consumeCreateToken(creator.id);
    await this.#stores.rooms.create({
      id,
      name: roomName,
      kind: "public",
      createdBy: creator.id,
      createdAtMs: this.#now(),
    });
    return this.join(creator, id);
  }

  listPublic(afterId: string | undefined, limit: number): Promise<Room[]> {
    return this.#stores.rooms.listPublic(afterId === undefined ? { limit } : { afterId, limit });
  }

  /** Public rooms are visible to everyone, direct conversations only to their two members. */
  async details(viewerId: number, roomId: unknown): Promise<RoomDetails> {
    const room = await this.#getVisible(viewerId, validateRoomId(roomId));
    const [membership, peer, counts] = await Promise.all([
      this.#membership(room.id, viewerId),
      this.#peerOf(room, viewerId),
      this.#presence.onlineCounts([room.id]),
    ]);
    return {
      room,
      ackedSeq: membership?.ackedSeq ?? 0,
      peer,
      member: membership !== null,
      online: counts.get(room.id) ?? 0,
    };
  }

  /** Joins a public room (created first when `create` is set and it does not exist). Idempotent. */
  async join(member: Member, roomId: unknown, options: { create?: boolean; name?: unknown } = {}): Promise<MemberRoom> {
    const id = validatePublicRoomId(roomId);
    let room = await this.#stores.rooms.get(id);
    if (!room && options.create) {
      await this.#checkRoomQuota(member.id);
      await this.#consumeCreateToken(member.id);
      room = await this.#createIgnoringRace({
        id,
        name: validateRoomName(options.name, id),
        kind: "public",
        createdBy: member.id,
      });
    }
    if (!room) throw new ChatError("room_not_found", `room ${id} does not exist`);
    if (room.kind !== "public") throw new ChatError("forbidden", "direct conversations cannot be joined");
    if (!(await this.#stores.rooms.isMember(id, member.id))) await this.#checkRoomQuota(member.id);
    await this.#addMember(room, member, null);
    return this.memberRoom(member.id, id);
  }

  /** Leaves a public room. Idempotent: leaving a room one is not in changes nothing. */
  async leave(member: Member, roomId: unknown): Promise<void> {
    const id = validateRoomId(roomId);
    const room = await this.#stores.rooms.get(id);
    if (!room) throw new ChatError("room_not_found", `room ${id} does not exist`);
    if (room.kind !== "public") throw new ChatError("forbidden", "direct conversations cannot be left");
    if (!(await this.#stores.rooms.leave(id, member.id))) return;
    await this.#deps.memberships.ended(member.id, id);
    if ((await this.#presence.leaveRoom(member.id, id)).length > 0) this.#deps.online.changed([id]);
    const event = {
      roomId: id,
      memberId: member.id,
      username: member.username,
      type: RoomEventType.ROOM_EVENT_TYPE_LEFT,
      seq: 0,
    };
    await this.#publisher.memberEvent(
      member.id,
      { ...event, room: toRoomInfo({ room, ackedSeq: 0, peer: null }) },
      { leave: [id] },
    );
    await this.#publisher.roomEvent({ ...event, room: undefined });
  }

  async members(
    viewerId: number,
    roomId: unknown,
    afterMemberId: number | undefined,
    limit: number,
  ): Promise<RoomMemberView[]> {
    const room = await this.#getVisible(viewerId, validateRoomId(roomId));
    const memberships = await this.#stores.rooms.members(
      room.id,
      afterMemberId === undefined ? { limit } : { afterMemberId, limit },
    );
    const ids = memberships.map((m) => m.memberId);
    const [members, connections] = await Promise.all([
      this.#stores.members.findByIds(ids),
      this.#presence.locateMembers(ids),
    ]);
    const names = new Map(members.map((m) => [m.id, m.username]));
    const online = new Set(connections.filter((c) => c.rooms.includes(room.id)).map((c) => c.memberId));
    return memberships.map((m) => ({
      id: m.memberId,
      username: names.get(m.memberId) ?? "",
      joinedAtMs: m.joinedAtMs,
      ackedSeq: m.ackedSeq,
      online: online.has(m.memberId),
    }));
  }

  /** Every room of the member (public and direct), peers resolved, ordered by room id. */
  async roomsOf(memberId: number): Promise<MemberRoom[]> {
    const rooms = await this.#stores.rooms.roomsOf(memberId);
    const peerIds = rooms.map((r) => otherMember(r.room.id, memberId)).filter((id): id is number => id !== null);
    const peers = new Map((await this.#stores.members.findByIds(peerIds)).map((m) => [m.id, m]));
    return rooms
      .map(({ room, membership }): MemberRoom => {
        const peerId = otherMember(room.id, memberId);
        const peer = peerId === null ? undefined : peers.get(peerId);
        return { room, ackedSeq: membership.ackedSeq, peer: peer ? { id: peer.id, username: peer.username } : null };
      })
      .sort((a, b) => (a.room.id < b.room.id ? -1 : a.room.id > b.room.id ? 1 : 0));
  }

  /** The room as the member sees it; not_member when they do not belong to it. */
  async memberRoom(memberId: number, roomId: string): Promise<MemberRoom> {
    const room = await this.#stores.rooms.get(roomId);
    if (!room) throw new ChatError("room_not_found", `room ${roomId} does not exist`);
    const membership = await this.#membership(roomId, memberId);
    if (!membership) throw new ChatError("not_member", `not a member of ${roomId}`);
    return { room, ackedSeq: membership.ackedSeq, peer: await this.#peerOf(room, memberId) };
  }

  /** The room if it exists and the member belongs to it (cached: see MembershipCache). */
  async requireMember(memberId: number, roomId: unknown): Promise<RoomRef> {
    const id = validateRoomId(roomId);
    const cached = this.#deps.memberships.get(memberId, id);
    if (cached) return cached;
    const room = await this.#stores.rooms.get(id);
    if (!room) throw new ChatError("room_not_found", `room ${id} does not exist`);
    if (!(await this.#stores.rooms.isMember(id, memberId))) {
      throw new ChatError("not_member", `not a member of ${id}`);
    }
    this.#deps.memberships.set(memberId, room);
    return room;
  }

  /** The direct conversation of two members, created (with both as members) on first use. */
  async ensureDirect(sender: Member, peerId: number): Promise<Room> {
    if (!Number.isSafeInteger(peerId) || peerId <= 0) throw new ChatError("bad_request", "invalid member id");
    if (peerId === sender.id) throw new ChatError("bad_request", "cannot send a direct message to yourself");
    const peer = await this.#stores.members.findById(peerId);
    if (!peer) throw new ChatError("member_not_found", `member ${peerId} does not exist`);
    const id = directRoomId(sender.id, peer.id);
    let room = await this.#stores.rooms.get(id);
    if (!room) {
      await this.#consumeCreateToken(sender.id);
      room = await this.#createIgnoringRace({ id, name: id, kind: "direct", createdBy: sender.id });
    }
    await this.#addMember(room, sender, peer);
    await this.#addMember(room, peer, sender);
    return room;
  }

  async #addMember(room: Room, member: Member, peer: Member | null): Promise<void> {
    if (!(await this.#stores.rooms.join(room.id, member.id, this.#now()))) return;
    if ((await this.#presence.joinRoom(member.id, room.id)).length > 0) this.#deps.online.changed([room.id]);
    const event = {
      roomId: room.id,
      memberId: member.id,
      username: member.username,
      type: RoomEventType.ROOM_EVENT_TYPE_JOINED,
      seq: 0,
    };
    const view: MemberRoom = { room, ackedSeq: 0, peer: peer ? { id: peer.id, username: peer.username } : null };
    await this.#publisher.memberEvent(member.id, { ...event, room: toRoomInfo(view) }, { join: [room.id] });
    if (room.kind === "public") await this.#publisher.roomEvent({ ...event, room: undefined });
  }

  /** limit_exceeded when the member already belongs to the most public rooms allowed. */
  async #checkRoomQuota(memberId: number): Promise<void> {
    const max = this.#deps.maxRoomsPerMember;
    const rooms = await this.#stores.rooms.roomsOf(memberId);
    if (rooms.filter((r) => r.room.kind === "public").length >= max) {
      throw new ChatError(
        "limit_exceeded",
        `a member may belong to at most ${max} public rooms (CHATROOM_MAX_ROOMS_PER_MEMBER); leave one first`,
      );
    }
  }

  async #consumeCreateToken(memberId: number): Promise<void> {
    const decision = await this.#deps.rateLimiter.consume(`room-create:${memberId}`, this.#deps.createRate);
    if (!decision.allowed) {
      throw new ChatError("rate_limited", "creating rooms too fast; try again later", {
        retryAfterMs: decision.retryAfterMs,
      });
    }
  }

  /** The member's stored read cursor in the room, or null when they are not a member. */
  async readCursor(memberId: number, roomId: string): Promise<number | null> {
    return (await this.#membership(roomId, memberId))?.ackedSeq ?? null;
  }

  /** One member's membership, read as a one-row page of the room's members ordered by id. */
  async #membership(roomId: string, memberId: number): Promise<Membership | null> {
    const [first] = await this.#stores.rooms.members(roomId, { afterMemberId: memberId - 1, limit: 1 });
    return first?.memberId === memberId ? first : null;
  }

  async #getVisible(viewerId: number, roomId: string): Promise<Room> {
    const room = await this.#stores.rooms.get(roomId);
    const pair = parseDirectRoomId(roomId);
    if (!room || (pair && !pair.includes(viewerId))) {
      throw new ChatError("room_not_found", `room ${roomId} does not exist`);
    }
    return room;
  }

  async #peerOf(room: Room, viewerId: number): Promise<MemberRoom["peer"]> {
    const peerId = otherMember(room.id, viewerId);
    if (peerId === null) return null;
    const peer = await this.#stores.members.findById(peerId);
    return peer ? { id: peer.id, username: peer.username } : null;
  }

  async #createIgnoringRace(input: Omit<Room, "createdAtMs" | "lastSeq">): Promise<Room> {
    try {
      return await this.#stores.rooms.create({ ...input, createdAtMs: this.#now() });
    } catch (error) {
      const existing =
        error instanceof ChatError && error.code === "room_exists" && (await this.#stores.rooms.get(input.id));
      if (existing) return existing;
      throw error;
    }
  }
}

function otherMember(roomId: string, memberId: number): number | null {
  const pair = parseDirectRoomId(roomId);
  if (!pair) return null;
  return pair[0] === memberId ? pair[1] : pair[0];
}
