import { ChatError } from "@chatroom/core";
import { ModerateReply, ModerateRequest, ModerationAction, Op } from "@chatroom/proto/protocol";
import type { ModerationResult } from "../services/moderation.ts";
import { roleOfWire, wireRole } from "../services/views.ts";
import { protoFrame, receiveResponse } from "./frames.ts";
import { decode, type ReceiveHandler } from "./request-context.ts";

const ACTION_OF: Record<ModerationResult["action"], ModerationAction> = {
  set_role: ModerationAction.MODERATION_ACTION_SET_ROLE,
  kick: ModerationAction.MODERATION_ACTION_KICK,
  ban: ModerationAction.MODERATION_ACTION_BAN,
  unban: ModerationAction.MODERATION_ACTION_UNBAN,
  mute: ModerationAction.MODERATION_ACTION_MUTE,
  unmute: ModerationAction.MODERATION_ACTION_UNMUTE,
  invite: ModerationAction.MODERATION_ACTION_INVITE,
  uninvite: ModerationAction.MODERATION_ACTION_UNINVITE,
};

/** OP_MODERATE: the same ModerationService the HTTP API uses, so both enforce the same rules. */
export const moderate: ReceiveHandler = async (services, request) => {
  const body = decode(ModerateRequest, request.body, "ModerateRequest");
  const { moderation } = services;
  const actor = await request.member();
  const target = { memberId: body.memberId, username: body.username };
  const room = body.roomId;
  let result: ModerationResult;
  switch (body.action) {
    case ModerationAction.MODERATION_ACTION_SET_ROLE:
      result = await moderation.setRole(actor, room, target, roleOfWire(body.role));
      break;
    case ModerationAction.MODERATION_ACTION_KICK:
      result = await moderation.kick(actor, room, target);
      break;
    case ModerationAction.MODERATION_ACTION_BAN:
      result = await moderation.ban(actor, room, target, body.durationMs);
      break;
    case ModerationAction.MODERATION_ACTION_UNBAN:
      result = await moderation.unban(actor, room, target);
      break;
    case ModerationAction.MODERATION_ACTION_MUTE:
      result = await moderation.mute(actor, room, target, body.durationMs);
      break;
    case ModerationAction.MODERATION_ACTION_UNMUTE:
      result = await moderation.unmute(actor, room, target);
      break;
    case ModerationAction.MODERATION_ACTION_INVITE:
      result = await moderation.invite(actor, room, target);
      break;
    case ModerationAction.MODERATION_ACTION_UNINVITE:
      result = await moderation.uninvite(actor, room, target);
      break;
    default:
      throw new ChatError("bad_request", "unknown moderation action");
  }
  const reply = ModerateReply.encode({
    roomId: result.roomId,
    memberId: result.member.id,
    action: ACTION_OF[result.action],
    role: result.role === undefined ? 0 : wireRole(result.role),
    untilMs: result.untilMs ?? 0,
  }).finish();
  return receiveResponse({ protos: [protoFrame(Op.MODERATE_REPLY, request.seq, reply)] });
};
