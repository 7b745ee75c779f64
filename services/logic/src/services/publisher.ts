import { randomUUID } from "node:crypto";
import type { PushBus } from "@chatroom/core";
import { secondsSince } from "@chatroom/core/observability";
import { type ConnectionControl, type PushMsg, PushMsg_Type } from "@chatroom/proto/grpc";
import { ChatMessage, OnlineUpdate, Op, RoomEvent } from "@chatroom/proto/protocol";
import type { LogicMetrics } from "../metrics/logic-metrics.ts";

const TYPE_LABEL: Record<number, string> = {
  [PushMsg_Type.TYPE_PUSH]: "push",
  [PushMsg_Type.TYPE_ROOM]: "room",
  [PushMsg_Type.TYPE_BROADCAST]: "broadcast",
};

/**
 * Builds every PushMsg logic publishes (goim's PushKeys/PushMids/PushRoom/PushAll plus the chat pushes) and
 * hands it to the bus. A returned promise resolves once the bus holds the push durably.
 */
export class Publisher {
  readonly #bus: PushBus;
  readonly #now: () => number;
  readonly #metrics: LogicMetrics | undefined;

  constructor(bus: PushBus, now: () => number, metrics?: LogicMetrics) {
    this.#bus = bus;
    this.#now = now;
    this.#metrics = metrics;
  }

  /** A stored message to every connection subscribed to its room. */
  roomMessage(message: ChatMessage): Promise<PushMsg> {
    return this.#publish({
      type: PushMsg_Type.TYPE_ROOM,
      operation: Op.MESSAGE,
      room: message.roomId,
      msg: ChatMessage.encode(message).finish(),
      seq: message.seq,
      id: message.id,
    });
  }

  /** A stored direct message to every connection of both members (not by room: it may be brand new). */
  directMessage(message: ChatMessage, memberIds: readonly number[]): Promise<PushMsg> {
    return this.#publish({
      type: PushMsg_Type.TYPE_PUSH,
      operation: Op.MESSAGE,
      members: [...memberIds],
      msg: ChatMessage.encode(message).finish(),
      seq: message.seq,
      id: message.id,
    });
  }

  /**
   * A membership event to the member's own connections, with the subscription change their comets apply before
   * writing it (the comets follow the control, never the event body).
   */
  memberEvent(memberId: number, event: RoomEvent, change: { join?: string[]; leave?: string[] }): Promise<PushMsg> {
    return this.#publish({
      type: PushMsg_Type.TYPE_PUSH,
      operation: Op.EVENT,
      members: [memberId],
      msg: RoomEvent.encode(event).finish(),
      control: control({ joinRooms: change.join ?? [], leaveRooms: change.leave ?? [] }),
    });
  }

  /** Closes every live connection of one login session (logout) on every comet, with `closeCode`. */
  closeSession(memberId: number, sessionId: string, closeCode: number, reason: string): Promise<PushMsg> {
    return this.#publish({
      type: PushMsg_Type.TYPE_PUSH,
      operation: 0,
      members: [memberId],
      msg: new Uint8Array(0),
      control: control({ closeCode, closeReason: reason, closeSessionId: sessionId }),
    });
  }

  /** Changed online counts to the room's connections (OP_ONLINE). */
  onlineCount(roomId: string, count: number): Promise<PushMsg> {
    return this.#publish({
      type: PushMsg_Type.TYPE_ROOM,
      operation: Op.ONLINE,
      room: roomId,
      msg: OnlineUpdate.encode({ online: [{ roomId, count }] }).finish(),
      online: count,
    });
  }

  /** A room event ("X joined") to everyone in the room. */
  roomEvent(event: RoomEvent): Promise<PushMsg> {
    return this.#publish({
      type: PushMsg_Type.TYPE_ROOM,
      operation: Op.EVENT,
      room: event.roomId,
      msg: RoomEvent.encode(event).finish(),
    });
  }

  pushKeys(operation: number, keys: readonly string[], body: Uint8Array): Promise<PushMsg> {
    return this.#publish({ type: PushMsg_Type.TYPE_PUSH, operation, keys: [...keys], msg: body });
  }

  pushMembers(operation: number, memberIds: readonly number[], body: Uint8Array): Promise<PushMsg> {
    return this.#publish({ type: PushMsg_Type.TYPE_PUSH, operation, members: [...memberIds], msg: body });
  }

  pushRoom(operation: number, roomId: string, body: Uint8Array): Promise<PushMsg> {
    return this.#publish({ type: PushMsg_Type.TYPE_ROOM, operation, room: roomId, msg: body });
  }

  pushAll(operation: number, speed: number, body: Uint8Array): Promise<PushMsg> {
    return this.#publish({ type: PushMsg_Type.TYPE_BROADCAST, operation, speed, msg: body });
  }

  async #publish(fields: Partial<PushMsg> & Pick<PushMsg, "type" | "operation" | "msg">): Promise<PushMsg> {
    const push: PushMsg = {
      speed: 0,
      server: "",
      room: "",
      keys: [],
      members: [],
      seq: 0,
      id: randomUUID(),
      ...fields,
      publishedAtMs: this.#now(),
    };
    const start = process.hrtime.bigint();
    try {
      await this.#bus.publish(push);
    } catch (error) {
      this.#metrics?.published(TYPE_LABEL[push.type] ?? "other", secondsSince(start), true);
      throw error;
    }
    this.#metrics?.published(TYPE_LABEL[push.type] ?? "other", secondsSince(start), false);
    return push;
  }
}

function control(fields: Partial<ConnectionControl>): ConnectionControl {
  return { joinRooms: [], leaveRooms: [], closeCode: 0, closeReason: "", closeSessionId: "", ...fields };
}
