import { ChatError } from "@chatroom/core";
import type { Request, Response } from "express";
import type { LogicServices } from "../services/logic-services.ts";
import type { SendInput } from "../services/messages.ts";
import { callerOf } from "./authentication.ts";
import { messageJson } from "./json-views.ts";
import { jsonBody, pathParam, queryInteger } from "./params.ts";
import type { Route } from "./route.ts";

const SEQ = { min: 0, max: Number.MAX_SAFE_INTEGER };

export function messageRoutes(services: LogicServices): Route[] {
  const { messages, revisions, config } = services;

  /** 201 for a new message, 200 for a retry that returned the stored one. */
  const send = async (req: Request, res: Response, target: Pick<SendInput, "roomId" | "toMemberId">) => {
    const body = jsonBody(req);
    if (body.text === undefined) throw new ChatError("bad_request", "text is required");
    const result = await messages.send(callerOf(req).member, {
      ...target,
      text: body.text,
      clientMsgId: body.clientMsgId,
    });
    res
      .status(result.duplicate ? 200 : 201)
      .json({ message: messageJson(result.message), duplicate: result.duplicate });
  };

  /** The message's seq from the path: a positive integer. */
  const targetSeq = (req: Request): number => {
    const raw = pathParam(req, "seq");
    const seq = Number(raw);
    if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(seq) || seq <= 0) {
      throw new ChatError("bad_request", "seq must be a positive integer");
    }
    return seq;
  };

  return [
    {
      method: "get",
      path: "/api/v1/rooms/:roomId/messages",
      auth: "session",
      async handle(req, res) {
        const page = await messages.history(callerOf(req).member.id, pathParam(req, "roomId"), {
          beforeSeq: queryInteger(req, "before", SEQ),
          afterSeq: queryInteger(req, "after", SEQ),
          limit: queryInteger(req, "limit", { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? config.historyPageDefault,
        });
        res.json({ roomId: page.roomId, messages: page.messages.map(messageJson), hasMore: page.hasMore });
      },
    },
    {
      method: "post",
      path: "/api/v1/rooms/:roomId/messages",
      auth: "session",
      handle: (req, res) => send(req, res, { roomId: pathParam(req, "roomId") }),
    },
    {
      method: "patch",
      path: "/api/v1/rooms/:roomId/messages/:seq",
      auth: "session",
      async handle(req, res) {
        const body = jsonBody(req);
        if (body.text === undefined) throw new ChatError("bad_request", "text is required");
        const result = await revisions.edit(callerOf(req).member, {
          roomId: pathParam(req, "roomId"),
          seq: targetSeq(req),
          text: body.text,
          clientMsgId: body.clientMsgId,
        });
        res
          .status(result.duplicate ? 200 : 201)
          .json({ event: messageJson(result.event), duplicate: result.duplicate });
      },
    },
    {
      method: "delete",
      path: "/api/v1/rooms/:roomId/messages/:seq",
      auth: "session",
      async handle(req, res) {
        const clientMsgId =
          req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>).clientMsgId : undefined;
        const result = await revisions.delete(callerOf(req).member, {
          roomId: pathParam(req, "roomId"),
          seq: targetSeq(req),
          clientMsgId,
        });
        res
          .status(result.duplicate ? 200 : 201)
          .json({ event: messageJson(result.event), duplicate: result.duplicate });
      },
    },
    {
      method: "post",
      path: "/api/v1/members/:memberId/messages",
      auth: "session",
      async handle(req, res) {
        const raw = pathParam(req, "memberId");
        const memberId = Number(raw);
        if (!/^\d{1,15}$/.test(raw) || memberId <= 0)
          throw new ChatError("bad_request", "member id must be a positive integer");
        await send(req, res, { toMemberId: memberId });
      },
    },
  ];
}
