import { ChatError } from "@chatroom/core";
import { CHAT_OPS } from "@chatroom/proto/protocol";
import type { Request, Response } from "express";
import type { Route } from "../http/route.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { goimInt, goimString, goimValues } from "./goim-query.ts";
import { goimRoomKey, validateGoimRoomType } from "./goim-rooms.ts";

/** Targets per push: goim has no bound; one push must stay one bus message of sane size. */
const MAX_TARGETS = 1000;
/** online/top scans every live room; a limit beyond this is taken as this. */
const TOP_MAX = 10_000;
const INT64_SAFE = /^\d{1,16}$/;

/** goim's success envelope (result.go): always HTTP 200, `data` left out when there is none. */
export function goimResult(res: Response, data?: unknown): void {
  res.status(200).json(data === undefined ? { code: 0, message: "" } : { code: 0, message: "", data });
}

/**
 * goim's operation range: any int32 but 0 (job takes operation 0 for a control-only push that writes nothing) and
 * the ops every chatroom connection receives without accepting them (OP_RAW, OP_ERROR, OP_MESSAGE, OP_EVENT,
 * OP_ONLINE) — with those a backend could forge chat frames on chatroom connections.
 */
function operationOf(req: Request): number {
  const operation = goimInt(req, "operation", true);
  if (CHAT_OPS.has(operation)) {
    throw new ChatError("bad_request", `operation ${operation} is one of chatroom's chat frames; use another`);
  }
  return operation;
}

function targets(req: Request, name: string): string[] {
  const list = [...new Set(goimValues(req, name))];
  if (list.length === 0) throw new ChatError("bad_request", `query parameter ${name} is required`);
  if (list.length > MAX_TARGETS) throw new ChatError("bad_request", `at most ${MAX_TARGETS} ${name} per request`);
  return list;
}

function frameBody(req: Request): Uint8Array {
  const body: unknown = req.body;
  return body instanceof Uint8Array ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(0);
}

/**
 * goim's push and online API in goim's response mode, for the internal goim HTTP listener (no API key; see
 * goim-http-api.ts): goim's parameters (repeated for lists), `type` + `room` naming goim rooms (`type://room`), and
 * goim's data shapes. Route paths equal the public API's; docs/goim-openapi.yaml documents these.
 */
export function goimHttpRoutes(services: LogicServices): Route[] {
  const { publisher, presence } = services;
  return [
    {
      method: "post",
      path: "/goim/push/keys",
      auth: "none",
      async handle(req, res) {
        const keys = targets(req, "keys");
        if (keys.some((k) => k.length > 128)) throw new ChatError("bad_request", "keys must be at most 128 characters");
        await publisher.pushKeys(operationOf(req), keys, frameBody(req));
        goimResult(res);
      },
    },
    {
      method: "post",
      path: "/goim/push/mids",
      auth: "none",
      async handle(req, res) {
        const mids = targets(req, "mids");
        if (!mids.every((mid) => INT64_SAFE.test(mid) && Number(mid) > 0)) {
          throw new ChatError("bad_request", "mids must be positive integers below 2^53");
        }
        await publisher.pushMembers(operationOf(req), mids.map(Number), frameBody(req));
        goimResult(res);
      },
    },
    {
      method: "post",
      path: "/goim/push/room",
      auth: "none",
      async handle(req, res) {
        const operation = operationOf(req);
        const room = goimRoomKey(goimString(req, "type"), goimString(req, "room"));
        await publisher.pushRoom(operation, room, frameBody(req));
        goimResult(res);
      },
    },
    {
      method: "post",
      path: "/goim/push/all",
      auth: "none",
      async handle(req, res) {
        const operation = operationOf(req);
        // goim divides speed among the comets; a negative one means no pacing there too.
        const speed = Math.max(0, goimInt(req, "speed", false));
        await publisher.pushAll(operation, speed, frameBody(req));
        goimResult(res);
      },
    },
    {
      method: "get",
      path: "/goim/online/top",
      auth: "none",
      async handle(req, res) {
        const prefix = `${validateGoimRoomType(goimString(req, "type"))}://`;
        const limit = goimInt(req, "limit", true);
        if (limit < 0) throw new ChatError("bad_request", "query parameter limit must be positive");
        const rooms = await presence.topRooms(Number.MAX_SAFE_INTEGER);
        const top = rooms
          .filter((room) => room.roomId.startsWith(prefix))
          .slice(0, Math.min(limit, TOP_MAX))
          .map((room) => ({ room_id: room.roomId.slice(prefix.length), count: room.count }));
        goimResult(res, top);
      },
    },
    {
      method: "get",
      path: "/goim/online/room",
      auth: "none",
      async handle(req, res) {
        const type = goimString(req, "type");
        const rooms = targets(req, "rooms");
        const keys = rooms.map((room) => goimRoomKey(type, room));
        const counts = await presence.onlineCounts(keys);
        goimResult(res, Object.fromEntries(rooms.map((room, i) => [room, counts.get(keys[i] ?? "") ?? 0])));
      },
    },
    {
      method: "get",
      path: "/goim/online/total",
      auth: "none",
      async handle(_req, res) {
        const totals = await presence.totals();
        // chatroom does not record client addresses: ip_count carries the distinct online members instead.
        goimResult(res, { ip_count: totals.members, conn_count: totals.connections });
      },
    },
  ];
}
