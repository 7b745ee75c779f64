import { ChatError, directRoomId, parseDirectRoomId } from "@chatroom/core";

const PUBLIC_ROOM_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const LOBBY_ROOM_ID = "lobby";

export function isPublicRoomId(roomId: string): boolean {
  return PUBLIC_ROOM_ID.test(roomId);
}

/** Ids that may be created or joined by anyone. */
export function validatePublicRoomId(roomId: unknown): string {
  if (typeof roomId !== "string" || !PUBLIC_ROOM_ID.test(roomId)) {
    throw new ChatError(
      "invalid_room_id",
      "room id must be 1–64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit",
    );
  }
  return roomId;
}

/** Public ids and canonical direct ids (`dm:<low>:<high>`, as directRoomId builds them). */
export function validateRoomId(roomId: unknown): string {
  if (typeof roomId === "string") {
    const pair = parseDirectRoomId(roomId);
    if (pair && pair[0] !== pair[1] && directRoomId(pair[0], pair[1]) === roomId) return roomId;
    if (PUBLIC_ROOM_ID.test(roomId)) return roomId;
  }
  throw new ChatError("invalid_room_id", "not a valid room id");
}

const NAME_CONTROL = /\p{Cc}/u;

/** Display names: 1–64 characters, no control characters; surrounding blanks are dropped. */
export function validateRoomName(name: unknown, fallback: string): string {
  if (name === undefined || name === null || name === "") return fallback;
  if (typeof name !== "string") throw new ChatError("bad_request", "name must be a string");
  const trimmed = name.trim();
  if (trimmed.length === 0 || [...trimmed].length > 64 || NAME_CONTROL.test(trimmed) || !trimmed.isWellFormed()) {
    throw new ChatError("bad_request", "name must be 1–64 characters without control characters");
  }
  return trimmed;
}
