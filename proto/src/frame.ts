/**
 * goim's binary frame, big-endian:
 *   packLen int32 (whole frame) | headerLen int16 (= 16) | ver int16 | op int32 | seq int32 | body
 * Works on Uint8Array so that the same code runs in browsers and in Node.
 */
export const HEADER_LENGTH = 16;
export const PROTOCOL_VERSION = 1;
/** Default upper bound of a frame's packLen; comets and clients may configure their own. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

export interface Frame {
  ver: number;
  op: number;
  seq: number;
  body: Uint8Array;
}

export class FrameError extends Error {
  readonly code: "frame_too_short" | "frame_length_mismatch" | "frame_bad_header" | "frame_too_large";
  constructor(code: FrameError["code"], message: string) {
    super(message);
    this.name = "FrameError";
    this.code = code;
  }
}

const EMPTY = new Uint8Array(0);

export function encodeFrame(op: number, seq: number, body: Uint8Array = EMPTY, ver = PROTOCOL_VERSION): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  writeHeader(out, 0, out.length, ver, op, seq);
  out.set(body, HEADER_LENGTH);
  return out;
}

/** Concatenates already encoded frames into the body of one OP_RAW frame (goim's batch). */
export function encodeRawBatch(frames: readonly Uint8Array[], seq = 0): Uint8Array {
  let bodyLength = 0;
  for (const f of frames) bodyLength += f.length;
  const out = new Uint8Array(HEADER_LENGTH + bodyLength);
  writeHeader(out, 0, out.length, PROTOCOL_VERSION, 9, seq);
  let offset = HEADER_LENGTH;
  for (const f of frames) {
    out.set(f, offset);
    offset += f.length;
  }
  return out;
}

/** Decodes exactly one frame occupying all of `data`. */
export function decodeFrame(data: Uint8Array, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Frame {
  const { frame, next } = decodeAt(data, 0, maxFrameBytes);
  if (next !== data.length) {
    throw new FrameError("frame_length_mismatch", `packLen ${next} does not match the message length ${data.length}`);
  }
  return frame;
}

/** Decodes the frames packed in an OP_RAW body. */
export function decodeRawBatch(body: Uint8Array, maxFrameBytes = Number.MAX_SAFE_INTEGER): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < body.length) {
    const { frame, next } = decodeAt(body, offset, maxFrameBytes);
    frames.push(frame);
    offset = next;
  }
  return frames;
}

function decodeAt(data: Uint8Array, offset: number, maxFrameBytes: number): { frame: Frame; next: number } {
  if (data.length - offset < HEADER_LENGTH) {
    throw new FrameError(
      "frame_too_short",
      `a frame needs at least ${HEADER_LENGTH} bytes, got ${data.length - offset}`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset + offset, data.length - offset);
  const packLength = view.getInt32(0);
  const headerLength = view.getInt16(4);
  if (headerLength !== HEADER_LENGTH) {
    throw new FrameError("frame_bad_header", `headerLen must be ${HEADER_LENGTH}, got ${headerLength}`);
  }
  if (packLength > maxFrameBytes) {
    throw new FrameError("frame_too_large", `frame of ${packLength} bytes exceeds the limit of ${maxFrameBytes}`);
  }
  if (packLength < HEADER_LENGTH || packLength > data.length - offset) {
    throw new FrameError(
      "frame_length_mismatch",
      `packLen ${packLength} does not fit the ${data.length - offset} bytes available`,
    );
  }
  const frame: Frame = {
    ver: view.getInt16(6),
    op: view.getInt32(8),
    seq: view.getInt32(12),
    body: data.subarray(offset + HEADER_LENGTH, offset + packLength),
  };
  return { frame, next: offset + packLength };
}

function writeHeader(out: Uint8Array, offset: number, packLength: number, ver: number, op: number, seq: number): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, HEADER_LENGTH);
  view.setInt32(0, packLength);
  view.setInt16(4, HEADER_LENGTH);
  view.setInt16(6, ver);
  view.setInt32(8, op);
  view.setInt32(12, seq);
}
