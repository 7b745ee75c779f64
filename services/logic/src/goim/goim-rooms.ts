import { ChatError } from "@chatroom/core";

/**
 * goim's room keys, `type://id` (goim's EncodeRoomKey): a namespace beside chatroom's rooms, which never contain
 * "://". goim rooms are push-only: no members, no history, no seq; a connection is in one when it said so (goim's
 * OP_AUTH room_id or OP_CHANGE_ROOM). The type is a URL scheme; the id is what goim's url.Parse reads as the host,
 * without ':' so that presence's Redis keys (`room:{room}:server:{comet}`) stay unambiguous.
 */
const GOIM_ROOM = /^([A-Za-z][A-Za-z0-9+.-]{0,31}):\/\/([A-Za-z0-9._~!$&'()*+;=@-]{1,128})$/;
const GOIM_TYPE = /^[A-Za-z][A-Za-z0-9+.-]{0,31}$/;

export function isGoimRoom(roomId: string): boolean {
  return roomId.includes("://");
}

/** The room key as given, or bad_request naming what goim room keys look like. */
export function validateGoimRoom(roomKey: string): string {
  if (!GOIM_ROOM.test(roomKey)) {
    throw new ChatError(
      "bad_request",
      "a goim room is type://id: a type of letters, digits, '+', '.', '-' (starting with a letter) and an id of " +
        "1–128 URL host characters without ':' or '/'",
    );
  }
  return roomKey;
}

/** goim's EncodeRoomKey(type, room), validated. */
export function goimRoomKey(type: string, room: string): string {
  return validateGoimRoom(`${type}://${room}`);
}

/** The type of goim's online/top, validated: rooms of this type are those starting with `type://`. */
export function validateGoimRoomType(type: string): string {
  if (!GOIM_TYPE.test(type)) throw new ChatError("bad_request", "type must be a goim room type (e.g. live)");
  return type;
}
