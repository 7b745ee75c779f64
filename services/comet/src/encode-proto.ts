import { ChatError } from "@chatroom/core";
import type { Proto } from "@chatroom/proto/grpc";
import { encodeFrame, PROTOCOL_VERSION } from "@chatroom/proto/protocol";

/** The wire frame of a service-to-service Proto; a push encodes it once and hands the bytes to every channel. */
export function encodeProto(proto: Proto | undefined): Uint8Array {
  if (!proto) throw new ChatError("bad_request", "proto is required");
  return encodeFrame(proto.op, proto.seq, proto.body, proto.ver || PROTOCOL_VERSION);
}
