import { ChatError } from "@chatroom/core";
import type { ReceiveRequest, ReceiveResponse } from "@chatroom/proto/grpc";
import { Op, opName } from "@chatroom/proto/protocol";
import { protoFrame, receiveResponse } from "../logic-api/frames.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { goimText, parseGoimOps } from "./goim-ops.ts";
import { validateGoimRoom } from "./goim-rooms.ts";

/**
 * The requests of a goim connection (goim's comet Operate): OP_CHANGE_ROOM with a room key (empty: no room),
 * OP_SUB / OP_UNSUB with comma-separated ops, each answered with the reply op and the request's body, as goim does.
 * A body that is not what goim expects is a bad_request that changes nothing (goim would log it and, for
 * OP_CHANGE_ROOM, leave the connection in no room). Other ops, which goim hands to a logic that only logs them,
 * are refused.
 */
export async function goimReceive(services: LogicServices, request: ReceiveRequest): Promise<ReceiveResponse> {
  const proto = request.proto;
  if (!proto) throw new ChatError("bad_request", "missing frame");
  const echo = (op: number, fields: Partial<ReceiveResponse>) =>
    receiveResponse({ ...fields, protos: [protoFrame(op, proto.seq, proto.body)] });
  switch (proto.op) {
    case Op.CHANGE_ROOM: {
      const text = goimText(proto.body, "OP_CHANGE_ROOM");
      const rooms = text === "" ? [] : [validateGoimRoom(text)];
      await services.presence.updateRooms(request.key, { join: rooms, replace: true });
      return echo(Op.CHANGE_ROOM_REPLY, { joinRooms: rooms, replaceRooms: true });
    }
    case Op.SUB:
      return echo(Op.SUB_REPLY, { acceptsAdd: parseGoimOps(goimText(proto.body, "OP_SUB")) });
    case Op.UNSUB:
      return echo(Op.UNSUB_REPLY, { acceptsRemove: parseGoimOps(goimText(proto.body, "OP_UNSUB")) });
    default:
      throw new ChatError("bad_request", `operation ${opName(proto.op)} is not a request of goim's protocol`);
  }
}
