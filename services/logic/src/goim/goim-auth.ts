import { ChatError } from "@chatroom/core";
import { goimText, isInt32 } from "./goim-ops.ts";
import { validateGoimRoom } from "./goim-rooms.ts";

/** goim's OP_AUTH body, `{"mid","key","room_id","platform","accepts"}` (goim's logic.Connect), checked. */
export interface GoimAuth {
  /** The client's user id; undefined when it sent none or 0 (an anonymous connection). */
  mid: number | undefined;
  /** goim's subscription key: a credential (verify) or the connection key the client wants (trust). */
  key: string;
  /** The goim room to enter ("" for none). */
  roomId: string;
  platform: string;
  accepts: number[];
}

const MAX_KEY_LENGTH = 4096;
const MAX_PLATFORM_LENGTH = 64;

function bad(message: string): ChatError {
  return new ChatError("bad_request", `goim auth: ${message}`);
}

function optionalString(value: unknown, field: string, maxLength: number): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw bad(`${field} must be a string`);
  if (value.length > maxLength) throw bad(`${field} must be at most ${maxLength} characters`);
  return value;
}

/**
 * Parses goim's JSON auth body. Fields goim knows are type-checked (a wrong type is bad_request: the comet closes
 * with 1002, as goim's json.Unmarshal error closes the socket); fields goim does not know are ignored, as goim does.
 * `mid` must be a non-negative safe integer: JSON numbers above 2^53 would silently lose digits in JavaScript.
 */
export function parseGoimAuth(body: Uint8Array): GoimAuth {
  let parsed: unknown;
  try {
    parsed = JSON.parse(goimText(body, "OP_AUTH"));
  } catch (error) {
    if (error instanceof ChatError) throw error;
    throw bad("the body must be JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw bad("the body must be an object");
  const fields = parsed as Record<string, unknown>;
  const mid = fields.mid ?? 0;
  if (typeof mid !== "number" || !Number.isSafeInteger(mid) || mid < 0) {
    throw bad("mid must be a non-negative integer below 2^53");
  }
  const accepts = fields.accepts ?? [];
  if (!Array.isArray(accepts) || !accepts.every((op) => typeof op === "number" && isInt32(op))) {
    throw bad("accepts must be an array of int32 operations");
  }
  const roomId = optionalString(fields.room_id, "room_id", 256);
  return {
    mid: mid === 0 ? undefined : mid,
    key: optionalString(fields.key, "key", MAX_KEY_LENGTH),
    roomId: roomId === "" ? "" : validateGoimRoom(roomId),
    platform: optionalString(fields.platform, "platform", MAX_PLATFORM_LENGTH),
    accepts: [...new Set(accepts as number[])],
  };
}
