import type { WireSpec } from "./wire-check.ts";

/**
 * The wire layout of every client request body (protocol.proto), for checkWire. test/request-wire.test.ts compares
 * each entry with the .proto file, so a field added there and not here fails the tests.
 */
export const REQUEST_WIRE = {
  AuthRequest: { 1: "bytes", 2: "varints", 3: "bytes" },
  SendRequest: { 1: "bytes", 2: "varint", 3: "bytes", 4: "bytes" },
  ChangeRoomRequest: { 1: "bytes" },
  SubRequest: { 1: "varints" },
  JoinRequest: { 1: "bytes", 2: "varint", 3: "bytes", 4: "varint" },
  LeaveRequest: { 1: "bytes" },
  ResumeRequest: { 1: { 1: "bytes", 2: "varint" } },
  HistoryRequest: { 1: "bytes", 2: "varint", 3: "varint", 4: "varint" },
  AckRequest: { 1: "bytes", 2: "varint" },
  TypingRequest: { 1: "bytes" },
  EditRequest: { 1: "bytes", 2: "varint", 3: "bytes", 4: "bytes" },
  DeleteRequest: { 1: "bytes", 2: "varint", 3: "bytes" },
  ModerateRequest: { 1: "bytes", 2: "varint", 3: "bytes", 4: "varint", 5: "varint", 6: "varint" },
} as const satisfies Record<string, WireSpec>;

export type RequestName = keyof typeof REQUEST_WIRE;
