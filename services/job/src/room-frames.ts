import type { PushMsg } from "@chatroom/proto/grpc";
import { encodeFrame, encodeRawBatch, HEADER_LENGTH } from "@chatroom/proto/protocol";

/**
 * Packs a room's pushes (in order) into OP_RAW frames of at most `maxMessages` frames / `maxBytes` body bytes —
 * goim's room batch. Each frame is encoded once and then sent unchanged to every comet of the room.
 */
export function packRoomFrames(pushes: readonly PushMsg[], maxMessages: number, maxBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  let bytes = 0;
  for (const push of pushes) {
    const frame = encodeFrame(push.operation, 0, push.msg);
    if (current.length > 0 && (current.length >= maxMessages || bytes + frame.length > maxBytes)) {
      out.push(encodeRawBatch(current));
      current = [];
      bytes = 0;
    }
    current.push(frame);
    bytes += frame.length;
  }
  if (current.length > 0) out.push(encodeRawBatch(current));
  return out;
}

/** The body and header of an encoded frame, as the comet Proto message carries them. */
export function frameToProto(frame: Uint8Array): { ver: number; op: number; seq: number; body: Uint8Array } {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  return {
    ver: view.getInt16(6),
    op: view.getInt32(8),
    seq: view.getInt32(12),
    body: frame.subarray(HEADER_LENGTH),
  };
}
