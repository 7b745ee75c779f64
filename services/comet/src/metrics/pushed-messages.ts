import { HEADER_LENGTH, Op } from "@chatroom/proto/protocol";

/** ChatMessage.sent_at_ms (protocol.proto): when logic accepted the message. */
const SENT_AT_FIELD = 7;

/**
 * Walks a pushed frame's chat messages without decoding them: the frame itself for OP_MESSAGE, the OP_MESSAGE
 * frames inside an OP_RAW batch. Calls onSentAt with each message's sent_at_ms (read straight from its protobuf
 * varint; the other fields are skipped by length) and returns how many frames the push carries, so that a batch of
 * n frames to d connections counts n × d deliveries. Cost: a few varint reads per message, no allocation.
 */
export function scanPushedFrames(op: number, body: Uint8Array, onSentAt: (sentAtMs: number) => void): number {
  if (op === Op.MESSAGE) {
    const sentAt = sentAtOf(body, 0, body.length);
    if (sentAt > 0) onSentAt(sentAt);
    return 1;
  }
  if (op !== Op.RAW) return 1;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let frames = 0;
  let offset = 0;
  while (offset + HEADER_LENGTH <= body.length) {
    const packLength = view.getInt32(offset);
    if (packLength < HEADER_LENGTH || packLength > body.length - offset) break;
    if (view.getInt32(offset + 8) === Op.MESSAGE) {
      const sentAt = sentAtOf(body, offset + HEADER_LENGTH, offset + packLength);
      if (sentAt > 0) onSentAt(sentAt);
    }
    frames++;
    offset += packLength;
  }
  return frames;
}

/** The varint of field 7 in bytes[start, end), or 0 when absent or malformed. */
export function sentAtOf(bytes: Uint8Array, start: number, end: number): number {
  let pos = start;
  while (pos < end) {
    // A tag: field number and wire type, a varint (field numbers here are small).
    let tag = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end || shift > 28) return 0;
      const byte = bytes[pos++]!;
      tag |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    const wireType = tag & 7;
    if (wireType === 0 || wireType === 2) {
      // A varint value (or a length), up to 64 bits; arithmetic instead of shifts keeps bits above 32.
      let value = 0;
      let scale = 1;
      for (;;) {
        if (pos >= end || scale > 2 ** 63) return 0;
        const byte = bytes[pos++]!;
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) break;
        scale *= 128;
      }
      if (wireType === 0 && tag >>> 3 === SENT_AT_FIELD) return value;
      if (wireType === 2) pos += value;
    } else if (wireType === 1) {
      pos += 8;
    } else if (wireType === 5) {
      pos += 4;
    } else {
      return 0;
    }
  }
  return 0;
}
