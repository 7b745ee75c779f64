import type { Member } from "@chatroom/core";
import type { Request } from "express";
import type { LogicServices } from "../services/logic-services.ts";
import type { ModerationResult, ModerationTarget } from "../services/moderation.ts";
import { callerOf } from "./authentication.ts";
import { invitationJson, moderationJson, restrictionJson, roomJson } from "./json-views.ts";
import { jsonBody, memberParam, optionalJsonBody, pathParam, queryInteger, queryLimit } from "./params.ts";
import type { Route } from "./route.ts";

const PAGE_DEFAULT = 50;
const PAGE_MAX = 200;
const AFTER = { min: 0, max: Number.MAX_SAFE_INTEGER };

type Impose = (
  actor: Member,
  roomId: unknown,
  target: ModerationTarget,
  durationMs: unknown,
) => Promise<ModerationResult>;
type Lift = (actor: Member, roomId: unknown, target: ModerationTarget) => Promise<ModerationResult>;

/** PUT (impose, with an optional `durationMs`) and DELETE (lift) of a ban or mute: `/api/v1/rooms/:roomId/<what>/:memberId`. */
function restrictionRoutes(what: "bans" | "mutes", impose: Impose, lift: Lift): Route[] {
  const path = `/api/v1/rooms/:roomId/${what}/:memberId`;
  const target = (req: Request, member: Member) => ({ memberId: memberParam(req, "memberId", member.id) });
  return [
    {
      method: "put",
      path,
      auth: "session",
      async handle(req, res) {
        const { member } = callerOf(req);
        const duration = optionalJsonBody(req).durationMs;
        res.json(moderationJson(await impose(member, pathParam(req, "roomId"), target(req, member), duration)));
      },
    },
    {
      method: "delete",
      path,
      auth: "session",
      async handle(req, res) {
        const { member } = callerOf(req);
        await lift(member, pathParam(req, "roomId"), target(req, member));
        res.status(204).end();
      },
    },
  ];
}

/** Roles, kicks, bans, mutes and invitations of public and private rooms (ModerationService checks who may). */
export function moderationRoutes(services: LogicServices): Route[] {
  const { moderation, moderationLists } = services;
  return [
    {
      method: "put",
      path: "/api/v1/rooms/:roomId/members/:memberId/role",
      auth: "session",
      async handle(req, res) {
        const { member } = callerOf(req);
        const target = { memberId: memberParam(req, "memberId", member.id) };
        const result = await moderation.setRole(member, pathParam(req, "roomId"), target, jsonBody(req).role);
        res.json(moderationJson(result));
      },
    },
    {
      method: "delete",
      path: "/api/v1/rooms/:roomId/members/:memberId",
      auth: "session",
      async handle(req, res) {
        const { member } = callerOf(req);
        await moderation.kick(member, pathParam(req, "roomId"), { memberId: memberParam(req, "memberId", member.id) });
        res.status(204).end();
      },
    },
    {
      method: "get",
      path: "/api/v1/rooms/:roomId/bans",
      auth: "session",
      async handle(req, res) {
        const limit = queryLimit(req, PAGE_DEFAULT, PAGE_MAX);
        const after = queryInteger(req, "after", AFTER);
        const page = await moderationLists.bans(callerOf(req).member.id, pathParam(req, "roomId"), after, limit);
        res.json({
          bans: page.map(restrictionJson),
          next: page.length === limit ? (page.at(-1)?.memberId ?? null) : null,
        });
      },
    },
    ...restrictionRoutes("bans", moderation.ban.bind(moderation), moderation.unban.bind(moderation)),
    ...restrictionRoutes("mutes", moderation.mute.bind(moderation), moderation.unmute.bind(moderation)),
    {
      method: "get",
      path: "/api/v1/rooms/:roomId/invitations",
      auth: "session",
      async handle(req, res) {
        const limit = queryLimit(req, PAGE_DEFAULT, PAGE_MAX);
        const after = queryInteger(req, "after", AFTER);
        const viewer = callerOf(req).member.id;
        const page = await moderationLists.invitations(viewer, pathParam(req, "roomId"), after, limit);
        const next = page.length === limit ? (page.at(-1)?.memberId ?? null) : null;
        res.json({ invitations: page.map(invitationJson), next });
      },
    },
    {
      method: "post",
      path: "/api/v1/rooms/:roomId/invitations",
      auth: "session",
      async handle(req, res) {
        const body = jsonBody(req);
        const target = {
          memberId: typeof body.memberId === "number" ? body.memberId : undefined,
          username: typeof body.username === "string" ? body.username : undefined,
        };
        const result = await moderation.invite(callerOf(req).member, pathParam(req, "roomId"), target);
        res.status(201).json(moderationJson(result));
      },
    },
    {
      method: "delete",
      path: "/api/v1/rooms/:roomId/invitations/:memberId",
      auth: "session",
      async handle(req, res) {
        const { member } = callerOf(req);
        const target = { memberId: memberParam(req, "memberId", member.id) };
        await moderation.uninvite(member, pathParam(req, "roomId"), target);
        res.status(204).end();
      },
    },
    {
      method: "get",
      path: "/api/v1/me/invitations",
      auth: "session",
      async handle(req, res) {
        const limit = queryLimit(req, PAGE_DEFAULT, PAGE_MAX);
        const invitations = await moderationLists.invitationsOf(callerOf(req).member.id, limit);
        res.json({
          invitations: invitations.map((i) => ({ room: roomJson(i.room), invitedBy: i.invitedBy, atMs: i.atMs })),
        });
      },
    },
  ];
}
