import { ChatError } from "@chatroom/core";
import type { PushMsg } from "@chatroom/proto/grpc";
import { FIRST_CUSTOM_OP } from "@chatroom/proto/protocol";
import type { Request, Response } from "express";
import type { LogicServices } from "../services/logic-services.ts";
import { validateRoomId } from "../services/room-ids.ts";
import { queryInteger, queryList, queryString } from "./params.ts";
import type { Route } from "./route.ts";

const INT32_MAX = 2 ** 31 - 1;
const MAX_TARGETS = 1000;
const TOP_DEFAULT = 20;
const TOP_MAX = 1000;

/**
 * Push operations are application ops (≥ FIRST_CUSTOM_OP, goim's examples use 1000): the chat ops below it
 * carry protocol bodies that backends must not forge.
 */
function operationOf(req: Request): number {
  const operation = queryInteger(req, "operation", { min: FIRST_CUSTOM_OP, max: INT32_MAX });
  if (operation === undefined) throw new ChatError("bad_request", "query parameter operation is required");
  return operation;
}

/** The raw request body is the frame body as is (express.raw leaves no body as undefined). */
function frameBody(req: Request): Uint8Array {
  const body: unknown = req.body;
  return body instanceof Uint8Array ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(0);
}

/**
 * goim's `type` + `room`: chatroom room ids have no type namespace, so `room` is the room id and `type` is
 * accepted for compatibility and ignored.
 */
function roomOf(value: string | undefined): string {
  if (value === undefined) throw new ChatError("bad_request", "query parameter room is required");
  return validateRoomId(value);
}

function targets(req: Request, name: string): string[] {
  const list = [...new Set(queryList(req, name))];
  if (list.length === 0) throw new ChatError("bad_request", `query parameter ${name} needs at least one value`);
  if (list.length > MAX_TARGETS) throw new ChatError("bad_request", `at most ${MAX_TARGETS} ${name} per push`);
  return list;
}

function pushed(res: Response, push: PushMsg): void {
  res.json({ id: push.id });
}

/** goim's push and online API (logic HTTP, API key). Real HTTP statuses, unlike goim's 200-with-a-code. */
export function goimRoutes(services: LogicServices): Route[] {
  const { publisher, presence } = services;
  return [
    {
      method: "post",
      path: "/goim/push/keys",
      auth: "api-key",
      async handle(req, res) {
        const keys = targets(req, "keys");
        if (keys.some((k) => k.length > 128)) throw new ChatError("bad_request", "keys must be at most 128 characters");
        pushed(res, await publisher.pushKeys(operationOf(req), keys, frameBody(req)));
      },
    },
    {
      method: "post",
      path: "/goim/push/mids",
      auth: "api-key",
      async handle(req, res) {
        const members = targets(req, "mids").map(Number);
        if (members.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
          throw new ChatError("bad_request", "mids must be positive member ids");
        }
        pushed(res, await publisher.pushMembers(operationOf(req), members, frameBody(req)));
      },
    },
    {
      method: "post",
      path: "/goim/push/room",
      auth: "api-key",
      async handle(req, res) {
        const roomId = roomOf(queryString(req, "room"));
        pushed(res, await publisher.pushRoom(operationOf(req), roomId, frameBody(req)));
      },
    },
    {
      method: "post",
      path: "/goim/push/all",
      auth: "api-key",
      async handle(req, res) {
        const speed = queryInteger(req, "speed", { min: 0, max: INT32_MAX }) ?? 0;
        pushed(res, await publisher.pushAll(operationOf(req), speed, frameBody(req)));
      },
    },
    {
      method: "get",
      path: "/goim/online/top",
      auth: "api-key",
      async handle(req, res) {
        const limit = queryInteger(req, "limit", { min: 1, max: TOP_MAX }) ?? TOP_DEFAULT;
        res.json({ rooms: await presence.topRooms(limit) });
      },
    },
    {
      method: "get",
      path: "/goim/online/room",
      auth: "api-key",
      async handle(req, res) {
        const rooms = targets(req, "rooms").map(roomOf);
        res.json({ rooms: Object.fromEntries(await presence.onlineCounts(rooms)) });
      },
    },
    {
      method: "get",
      path: "/goim/online/total",
      auth: "api-key",
      async handle(_req, res) {
        res.json(await presence.totals());
      },
    },
  ];
}
