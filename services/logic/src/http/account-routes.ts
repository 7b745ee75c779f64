import type { Request, Response } from "express";
import { sessionCookie } from "../auth/cookies.ts";
import type { LoginResult } from "../services/accounts.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { callerOf, optionalCaller } from "./authentication.ts";
import { clientAddress } from "./client-address.ts";
import { memberJson, memberRoomJson } from "./json-views.ts";
import { jsonBody } from "./params.ts";
import type { Route } from "./route.ts";

export function accountRoutes(services: LogicServices): Route[] {
  const { accounts, config } = services;

  /** CHATROOM_COOKIE_SECURE auto: Secure when this request came over TLS (req.secure believes trusted proxies only). */
  const secureCookie = (req: Request) =>
    config.cookieSecure === "true" || (config.cookieSecure === "auto" && req.secure);
  const sendLogin = (req: Request, res: Response, status: number, result: LoginResult) => {
    res.setHeader(
      "Set-Cookie",
      sessionCookie(config.cookieName, result.token, {
        secure: secureCookie(req),
        expiresAtMs: result.session.expiresAtMs,
      }),
    );
    res.status(status).json({
      member: memberJson(result.member),
      token: result.token,
      expiresAtMs: result.session.expiresAtMs,
    });
  };

  return [
    {
      method: "post",
      path: "/api/v1/accounts",
      auth: "none",
      async handle(req, res) {
        const body = jsonBody(req);
        sendLogin(req, res, 201, await accounts.register(body.username, body.password, clientAddress(req)));
      },
    },
    {
      method: "post",
      path: "/api/v1/sessions",
      auth: "none",
      async handle(req, res) {
        const body = jsonBody(req);
        sendLogin(req, res, 200, await accounts.login(body.username, body.password, clientAddress(req)));
      },
    },
    {
      // The page's first question, "am I signed in?", answered without an error either way (GET /api/v1/me is a
      // 401 without a session, which a browser shows as a failed request).
      method: "get",
      path: "/api/v1/sessions/current",
      auth: "none",
      async handle(req, res) {
        const found = await optionalCaller(services, req);
        if ("caller" in found) {
          const { member, session } = found.caller;
          res.json({ session: { member: memberJson(member), expiresAtMs: session.expiresAtMs } });
        } else {
          res.json({ session: null, ...(found.reason ? { reason: found.reason } : {}) });
        }
      },
    },
    {
      method: "delete",
      path: "/api/v1/sessions/current",
      auth: "session",
      async handle(req, res) {
        await accounts.logout(callerOf(req).session);
        res.setHeader("Set-Cookie", sessionCookie(config.cookieName, "", { secure: secureCookie(req) }));
        res.status(204).end();
      },
    },
    {
      method: "get",
      path: "/api/v1/me",
      auth: "session",
      async handle(req, res) {
        const { member, session } = callerOf(req);
        res.json({ member: memberJson(member), expiresAtMs: session.expiresAtMs });
      },
    },
    {
      method: "get",
      path: "/api/v1/me/rooms",
      auth: "session",
      async handle(req, res) {
        const rooms = await services.rooms.roomsOf(callerOf(req).member.id);
        res.json({ rooms: rooms.map(memberRoomJson) });
      },
    },
  ];
}
