import type { Proto, ReceiveResponse } from "@chatroom/proto/grpc";
import { encodeFrame, HEADER_LENGTH, Op, PROTOCOL_VERSION } from "@chatroom/proto/protocol";

export function protoFrame(op: number, seq: number, body: Uint8Array): Proto {
  return { ver: PROTOCOL_VERSION, op, seq, body };
}

export function receiveResponse(fields: Partial<ReceiveResponse>): ReceiveResponse {
  return {
    protos: [],
    joinRooms: [],
    leaveRooms: [],
    replaceRooms: false,
    acceptsAdd: [],
    acceptsRemove: [],
    ...fields,
  };
}

/**
 * Packs pushes (seq 0) of one op into as few OP_RAW frames as fit `maxFrameBytes` each, keeping their order.
 * A single body too large for a frame of its own still gets a batch of its own.
 */
export function rawBatches(op: number, bodies: readonly Uint8Array[], maxFrameBytes: number): Proto[] {
  const batches: Proto[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const body = new Uint8Array(pendingBytes);
    let offset = 0;
    for (const frame of pending) {
      body.set(frame, offset);
      offset += frame.length;
    }
    batches.push(protoFrame(Op.RAW, 0, body));
    pending = [];
    pendingBytes = 0;
  };
  for (const body of bodies) {
    const frame = encodeFrame(op, 0, body);
    if (pendingBytes + frame.length > maxFrameBytes - HEADER_LENGTH) flush();
    pending.push(frame);
    pendingBytes += frame.length;
  }
  flush();
  return batches;
}
