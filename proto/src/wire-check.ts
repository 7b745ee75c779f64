/**
 * A strict look at a protobuf body before it is decoded. ts-proto's decoders stop silently at an end-group tag or
 * a zero tag and skip unknown fields, so random bytes often "decode" as an empty message — and an empty
 * ChangeRoomRequest means "leave every room". checkWire accepts only bodies made of the message's own fields with
 * their own wire types, each complete, and nothing after them.
 */

/** How a field is encoded: one wire type, a repeated varint (packed or not), or a nested message. */
export type FieldWire = "varint" | "fixed64" | "bytes" | "fixed32" | "varints" | WireSpec;

/** A message's fields by number. */
export interface WireSpec {
  readonly [field: number]: FieldWire;
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** null when `body` is a well-formed encoding of a message with `spec`'s fields, else what is wrong. */
export function checkWire(body: Uint8Array, spec: WireSpec): string | null {
  try {
    walk(body, 0, body.length, spec);
    return null;
  } catch (error) {
    if (error instanceof WireError) return error.message;
    throw error;
  }
}

class WireError extends Error {}

function walk(body: Uint8Array, start: number, end: number, spec: WireSpec): void {
  let offset = start;
  while (offset < end) {
    const [tag, afterTag] = readVarint(body, offset, end);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw new WireError(`field number 0 at byte ${offset}`);
    const expected = spec[field];
    if (expected === undefined) throw new WireError(`unknown field ${field}`);
    offset = readField(body, afterTag, end, field, wireType, expected);
  }
}

function readField(
  body: Uint8Array,
  offset: number,
  end: number,
  field: number,
  wireType: number,
  expected: FieldWire,
): number {
  if (typeof expected === "object") {
    const [start, next] = lengthDelimited(body, offset, end, field, wireType);
    walk(body, start, next, expected);
    return next;
  }
  switch (expected) {
    case "varint":
      if (wireType !== VARINT) throw wrongType(field, wireType);
      return readVarint(body, offset, end)[1];
    case "varints":
      if (wireType === VARINT) return readVarint(body, offset, end)[1];
      {
        const [start, next] = lengthDelimited(body, offset, end, field, wireType);
        for (let at = start; at < next; ) at = readVarint(body, at, next)[1];
        return next;
      }
    case "bytes":
      return lengthDelimited(body, offset, end, field, wireType)[1];
    case "fixed64":
      if (wireType !== FIXED64) throw wrongType(field, wireType);
      return fixed(offset, 8, end, field);
    case "fixed32":
      if (wireType !== FIXED32) throw wrongType(field, wireType);
      return fixed(offset, 4, end, field);
  }
}

function lengthDelimited(
  body: Uint8Array,
  offset: number,
  end: number,
  field: number,
  wireType: number,
): [number, number] {
  if (wireType !== LENGTH_DELIMITED) throw wrongType(field, wireType);
  const [length, start] = readVarint(body, offset, end);
  if (length > end - start) throw new WireError(`field ${field} is cut short`);
  return [start, start + length];
}

function fixed(offset: number, size: number, end: number, field: number): number {
  if (offset + size > end) throw new WireError(`field ${field} is cut short`);
  return offset + size;
}

function wrongType(field: number, wireType: number): WireError {
  return new WireError(`field ${field} has the wrong wire type ${wireType}`);
}

/** A varint of at most 10 bytes; numbers beyond 2^53 only matter for their length here. */
function readVarint(body: Uint8Array, offset: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (offset + i >= end) throw new WireError("a varint is cut short");
    const byte = body[offset + i] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, offset + i + 1];
  }
  throw new WireError("a varint is longer than 10 bytes");
}
