import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  AckRequest,
  AuthRequest,
  ChangeRoomRequest,
  checkWire,
  DeleteRequest,
  EditRequest,
  HistoryRequest,
  JoinRequest,
  LeaveRequest,
  ModerateRequest,
  ModerationAction,
  REQUEST_WIRE,
  type RequestName,
  ResumeRequest,
  RoomRole,
  SendRequest,
  SubRequest,
  TypingRequest,
  type WireSpec,
} from "../src/protocol.ts";

const protoText = readFileSync(new URL("../chatroom/protocol/v1/protocol.proto", import.meta.url), "utf8");

/** Field numbers and types of one message of protocol.proto, read from its text. */
function protoFields(message: string): Map<number, string> {
  const block = new RegExp(`message ${message} \\{([^}]*)\\}`).exec(protoText)?.[1];
  assert.ok(block, `message ${message} not found in protocol.proto`);
  const fields = new Map<number, string>();
  for (const match of block.matchAll(/^\s*(?:(repeated|optional)\s+)?(\w+)\s+\w+\s*=\s*(\d+);/gm)) {
    fields.set(Number(match[3]), `${match[1] === "repeated" ? "repeated " : ""}${match[2]}`);
  }
  return fields;
}

const SCALAR_WIRE: Record<string, string> = {
  string: "bytes",
  bytes: "bytes",
  int32: "varint",
  int64: "varint",
  bool: "varint",
  "repeated int32": "varints",
  // Enums travel as varints.
  ModerationAction: "varint",
  RoomRole: "varint",
};

/** Every field set to a non-default value, so that each appears on the wire. */
const FULL: Record<RequestName, Uint8Array> = {
  AuthRequest: AuthRequest.encode({ token: "t", accepts: [1000, 1001], client: "c" }).finish(),
  SendRequest: SendRequest.encode({ roomId: "r", toMemberId: 2, clientMsgId: "m", text: "x" }).finish(),
  ChangeRoomRequest: ChangeRoomRequest.encode({ roomId: "r" }).finish(),
  SubRequest: SubRequest.encode({ ops: [1000] }).finish(),
  JoinRequest: JoinRequest.encode({ roomId: "r", create: true, name: "n", private: true }).finish(),
  LeaveRequest: LeaveRequest.encode({ roomId: "r" }).finish(),
  ResumeRequest: ResumeRequest.encode({ cursors: [{ roomId: "r", lastSeq: -1 }] }).finish(),
  HistoryRequest: HistoryRequest.encode({ roomId: "r", beforeSeq: 5, afterSeq: 0, limit: 3 }).finish(),
  AckRequest: AckRequest.encode({ roomId: "r", seq: 4 }).finish(),
  TypingRequest: TypingRequest.encode({ roomId: "r" }).finish(),
  EditRequest: EditRequest.encode({ roomId: "r", seq: 3, text: "x", clientMsgId: "m" }).finish(),
  DeleteRequest: DeleteRequest.encode({ roomId: "r", seq: 3, clientMsgId: "m" }).finish(),
  ModerateRequest: ModerateRequest.encode({
    roomId: "r",
    memberId: 2,
    username: "u",
    action: ModerationAction.MODERATION_ACTION_BAN,
    role: RoomRole.ROOM_ROLE_MODERATOR,
    durationMs: 60_000,
  }).finish(),
};

describe("strict request bodies (checkWire)", () => {
  for (const name of Object.keys(REQUEST_WIRE) as RequestName[]) {
    it(`${name}: the wire layout matches protocol.proto and accepts a full message`, () => {
      const spec: WireSpec = REQUEST_WIRE[name];
      const fields = protoFields(name);
      assert.deepEqual(Object.keys(spec).map(Number).sort(), [...fields.keys()].sort());
      for (const [number, type] of fields) {
        const wire = spec[number];
        if (typeof wire === "object") assert.match(type, /^repeated [A-Z]/, `field ${number} is a message`);
        else assert.equal(wire, SCALAR_WIRE[type], `field ${number} (${type})`);
      }
      assert.equal(checkWire(FULL[name], spec), null);
      assert.equal(checkWire(new Uint8Array(0), spec), null, "an empty body is the empty message");
    });
  }

  it("refuses bytes that ts-proto would silently decode as an empty message", () => {
    const spec = REQUEST_WIRE.ChangeRoomRequest;
    const garbage = new TextEncoder().encode("live://1001");
    assert.deepEqual(ChangeRoomRequest.decode(garbage), { roomId: "" }, "the decoder itself is fooled");
    assert.match(checkWire(garbage, spec) ?? "", /wire type|unknown field/);
    assert.match(checkWire(new Uint8Array([0x78, 0x01]), spec) ?? "", /unknown field 15/);
    assert.match(checkWire(new Uint8Array([0x00]), spec) ?? "", /field number 0/);
  });

  it("refuses wrong wire types, cut fields and overlong varints", () => {
    assert.match(checkWire(new Uint8Array([0x08, 0x01]), REQUEST_WIRE.LeaveRequest) ?? "", /wrong wire type 0/);
    assert.match(checkWire(new Uint8Array([0x0a, 0x05, 0x61]), REQUEST_WIRE.LeaveRequest) ?? "", /cut short/);
    const long = new Uint8Array([0x10, ...new Array(11).fill(0xff)]);
    assert.match(checkWire(long, REQUEST_WIRE.AckRequest) ?? "", /longer than 10 bytes|cut short/);
    // A nested RoomCursor with an unknown field.
    assert.match(checkWire(new Uint8Array([0x0a, 0x02, 0x18, 0x01]), REQUEST_WIRE.ResumeRequest) ?? "", /unknown/);
  });

  it("accepts repeated varints packed and unpacked", () => {
    assert.equal(checkWire(new Uint8Array([0x0a, 0x02, 0xe8, 0x07]), REQUEST_WIRE.SubRequest), null);
    assert.equal(checkWire(new Uint8Array([0x08, 0xe8, 0x07, 0x08, 0x01]), REQUEST_WIRE.SubRequest), null);
  });
});
