import { ChatError } from "@chatroom/core";
import type { LogicServices } from "../services/logic-services.ts";
import { callerOf } from "./authentication.ts";
import { memberRoomJson, roomDetailsJson, roomJson, roomMemberJson } from "./json-views.ts";
import { jsonBody, pathParam, queryInteger, queryLimit, queryString, requiredInteger } from "./params.ts";
import type { Route } from "./route.ts";

const ROOM_PAGE_DEFAULT = 50;
const ROOM_PAGE_MAX = 200;

export function roomRoutes(services: LogicServices): Route[] {
  const { rooms, messages } = services;
  return [
    {
      method: "get",
      path: "/api/v1/rooms",
      auth: "session",
      async handle(req, res) {
        const limit = queryLimit(req, ROOM_PAGE_DEFAULT, ROOM_PAGE_MAX);
        const page = await rooms.listPublic(queryString(req, "after"), limit);
        const next = page.length === limit ? (page.at(-1)?.id ?? null) : null;
        res.json({ rooms: page.map(roomJson), next });
      },
    },
    {
      method: "post",
      path: "/api/v1/rooms",
      auth: "session",
      async handle(req, res) {
        const body = jsonBody(req);
        if (body.private !== undefined && typeof body.private !== "boolean") {
          throw new ChatError("bad_request", "private must be a boolean");
        }
        const view = await rooms.create(callerOf(req).member, body.id, body.name, { private: body.private === true });
        res.status(201).json({ room: memberRoomJson(view) });
      },
    },
    {
      method: "get",
      path: "/api/v1/rooms/:roomId",
      auth: "session",
      async handle(req, res) {
        const details = await rooms.details(callerOf(req).member.id, pathParam(req, "roomId"));
        res.json({ room: roomDetailsJson(details) });
      },
    },
    {
      method: "put",
      path: "/api/v1/rooms/:roomId/members/me",
      auth: "session",
      async handle(req, res) {
        const view = await rooms.join(callerOf(req).member, pathParam(req, "roomId"));
        res.json({ room: memberRoomJson(view) });
      },
    },
    {
      method: "delete",
      path: "/api/v1/rooms/:roomId/members/me",
      auth: "session",
      async handle(req, res) {
        await rooms.leave(callerOf(req).member, pathParam(req, "roomId"));
        res.status(204).end();
      },
    },
    {
      method: "get",
      path: "/api/v1/rooms/:roomId/members",
      auth: "session",
      async handle(req, res) {
        const limit = queryLimit(req, ROOM_PAGE_DEFAULT, ROOM_PAGE_MAX);
        const after = queryInteger(req, "after", { min: 0, max: Number.MAX_SAFE_INTEGER });
        const page = await rooms.members(callerOf(req).member.id, pathParam(req, "roomId"), after, limit);
        const next = page.length === limit ? (page.at(-1)?.id ?? null) : null;
        res.json({ members: page.map(roomMemberJson), next });
      },
    },
    {
      method: "put",
      path: "/api/v1/rooms/:roomId/ack",
      auth: "session",
      async handle(req, res) {
        const seq = requiredInteger(jsonBody(req), "seq");
        res.json(await messages.ack(callerOf(req).member.id, pathParam(req, "roomId"), seq));
      },
    },
  ];
}
