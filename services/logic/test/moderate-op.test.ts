import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatError } from "@chatroom/core";
import type { ConnectResponse } from "@chatroom/proto/grpc";
import {
  AuthRequest,
  JoinReply,
  JoinRequest,
  ModerateReply,
  ModerateRequest,
  ModerationAction,
  Op,
  RoomKind,
  RoomRole,
  SendRequest,
  TypingRequest,
} from "@chatroom/proto/protocol";
import { type Account, type Harness, register, startHarness } from "./harness.ts";

const SERVER = "comet-test";

describe("OP_MODERATE and private JOIN over the LogicApi", () => {
  let harness: Harness;
  let owner: Account;
  let member: Account;
  before(async () => {
    harness = await startHarness({ roomCreateRateCapacity: 100 });
    owner = await register(harness, "opowner");
    member = await register(harness, "opmember");
  });
  after(() => harness.close());

  const connect = (account: Account) =>
    harness.logic.api.connect({
      server: SERVER,
      cookie: "",
      token: AuthRequest.encode({ token: account.token, accepts: [], client: "test" }).finish(),
    });
  const receive = (conn: ConnectResponse, op: number, body: Uint8Array) =>
    harness.logic.api.receive({
      memberId: conn.memberId,
      key: conn.key,
      server: SERVER,
      proto: { ver: 1, op, seq: 7, body },
    });
  const moderate = (conn: ConnectResponse, fields: Partial<ModerateRequest>) =>
    receive(
      conn,
      Op.MODERATE,
      ModerateRequest.encode({
        roomId: "",
        memberId: 0,
        username: "",
        action: 0,
        role: 0,
        durationMs: 0,
        ...fields,
      }).finish(),
    );
  const code = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return "resolved";
    } catch (error) {
      return error instanceof ChatError ? error.code : String(error);
    }
  };

  it("creates a private room with JOIN, invites, mutes and bans with replies, and enforces them on later ops", async () => {
    const ownerConn = await connect(owner);
    const memberConn = await connect(member);
    const joined = await receive(
      ownerConn,
      Op.JOIN,
      JoinRequest.encode({ roomId: "op-secret", create: true, name: "", private: true }).finish(),
    );
    const room = JoinReply.decode(joined.protos[0]?.body ?? new Uint8Array()).room;
    assert.equal(room?.kind, RoomKind.ROOM_KIND_PRIVATE);
    assert.equal(room?.role, RoomRole.ROOM_ROLE_OWNER);

    const join = () =>
      receive(memberConn, Op.JOIN, JoinRequest.encode({ roomId: "op-secret", create: false, name: "" }).finish());
    assert.equal(await code(join()), "room_not_found");
    const invited = await moderate(ownerConn, {
      roomId: "op-secret",
      username: member.username,
      action: ModerationAction.MODERATION_ACTION_INVITE,
    });
    assert.equal(invited.protos[0]?.op, Op.MODERATE_REPLY);
    assert.equal(ModerateReply.decode(invited.protos[0]?.body ?? new Uint8Array()).memberId, member.id);
    await join();

    const muted = await moderate(ownerConn, {
      roomId: "op-secret",
      memberId: member.id,
      action: ModerationAction.MODERATION_ACTION_MUTE,
      durationMs: 60_000,
    });
    const reply = ModerateReply.decode(muted.protos[0]?.body ?? new Uint8Array());
    assert.equal(reply.action, ModerationAction.MODERATION_ACTION_MUTE);
    assert.ok(reply.untilMs > Date.now());
    assert.equal(
      await code(receive(memberConn, Op.TYPING, TypingRequest.encode({ roomId: "op-secret" }).finish())),
      "muted",
    );
    const send = SendRequest.encode({ roomId: "op-secret", toMemberId: 0, clientMsgId: "", text: "hi" }).finish();
    assert.equal(await code(receive(memberConn, Op.SEND, send)), "muted");

    assert.equal(
      await code(
        moderate(memberConn, {
          roomId: "op-secret",
          memberId: owner.id,
          action: ModerationAction.MODERATION_ACTION_KICK,
        }),
      ),
      "insufficient_role",
    );
    await moderate(ownerConn, {
      roomId: "op-secret",
      memberId: member.id,
      action: ModerationAction.MODERATION_ACTION_BAN,
    });
    assert.equal(await code(receive(memberConn, Op.SEND, send)), "not_member");
    assert.equal(
      await code(moderate(ownerConn, { roomId: "op-secret", memberId: member.id, action: 99 as ModerationAction })),
      "bad_request",
    );
  });
});
