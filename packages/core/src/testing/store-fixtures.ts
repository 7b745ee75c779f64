import type { Stores } from "../store/stores.ts";
import type { Member, NewMessage, NewRevision, RevisionKind, Room } from "../types.ts";

export async function seedMember(stores: Stores, username: string): Promise<Member> {
  return stores.members.create({ username, passwordHash: `scrypt$hash-of-${username}`, createdAtMs: 1_000 });
}

export async function seedRoom(stores: Stores, id: string, kind: Room["kind"] = "public"): Promise<Room> {
  return stores.rooms.create({ id, name: `Room ${id}`, kind, createdBy: 0, createdAtMs: 2_000 });
}

let counter = 0;

/** A new message from `sender` to `roomId` with a unique id and client message id. */
export function newMessage(sender: Member, roomId: string, text: string, clientMsgId?: string): NewMessage {
  counter++;
  return {
    id: `msg-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    roomId,
    senderId: sender.id,
    senderName: sender.username,
    text,
    sentAtMs: 3_000 + counter,
    clientMsgId: clientMsgId ?? `client-${counter}-${Math.random().toString(36).slice(2, 8)}`,
  };
}

/** An edit (new text) or delete (empty text) event by `actor` of message `targetSeq` of `roomId`. */
export function newRevision(
  actor: Member,
  roomId: string,
  targetSeq: number,
  kind: RevisionKind,
  text = "",
  clientMsgId?: string,
): NewRevision {
  return { ...newMessage(actor, roomId, kind === "edit" ? text : "", clientMsgId), kind, targetSeq };
}
