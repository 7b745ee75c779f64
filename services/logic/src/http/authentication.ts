import { createHash, timingSafeEqual } from "node:crypto";
import { ChatError, type ErrorCode, type Member, type Session } from "@chatroom/core";
import type { Request, RequestHandler } from "express";
import { readCookie } from "../auth/cookies.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { crossOriginGuard } from "./cross-origin.ts";

export interface Caller {
  session: Session;
  member: Member;
}

const callers = new WeakMap<Request, Caller>();

/** The authenticated caller of a route registered with auth "session". */
export function callerOf(req: Request): Caller {
  const caller = callers.get(req);
  if (!caller) throw new ChatError("internal", "route has no session authentication");
  return caller;
}

interface SessionCredential {
  token: string | undefined;
  /** The token came from the cookie, which the browser attaches on its own (an ambient credential). */
  fromCookie: boolean;
}

/** `Authorization: Bearer <token>` wins over the session cookie; a malformed Authorization header is refused. */
function sessionCredential(req: Request, cookieName: string): SessionCredential {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer +([^ ]+) *$/i.exec(header);
    if (!match) throw new ChatError("unauthorized", "the Authorization header must be 'Bearer <token>'");
    return { token: match[1], fromCookie: false };
  }
  const token = readCookie(req.headers.cookie, cookieName);
  return { token, fromCookie: token !== undefined && token !== "" };
}

export function requireSession(services: LogicServices): RequestHandler {
  const checkOrigin = crossOriginGuard(services.config.allowedOrigins, services.logger);
  return async (req, _res, next) => {
    const credential = sessionCredential(req, services.config.cookieName);
    if (credential.fromCookie) checkOrigin(req);
    const session = await services.authenticator.authenticate(credential.token);
    callers.set(req, { session, member: await services.accounts.memberOf(session) });
    next();
  };
}

/**
 * The caller of a request that may come without a session: the same checks as requireSession, but an absent,
 * forged, expired or revoked credential is an answer (the ChatError's code) rather than a failure. Other failures
 * (the store down) still throw.
 */
export async function optionalCaller(
  services: LogicServices,
  req: Request,
): Promise<{ caller: Caller } | { reason: ErrorCode | null }> {
  try {
    const credential = sessionCredential(req, services.config.cookieName);
    if (!credential.token) return { reason: null };
    const session = await services.authenticator.authenticate(credential.token);
    return { caller: { session, member: await services.accounts.memberOf(session) } };
  } catch (error) {
    if (error instanceof ChatError && SIGNED_OUT.has(error.code)) return { reason: error.code };
    throw error;
  }
}

const SIGNED_OUT: ReadonlySet<ErrorCode> = new Set(["unauthorized", "token_expired", "session_revoked"]);

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * The goim API's key check: `Authorization: Bearer <key>` or `X-API-Key: <key>`, compared in constant time
 * against every configured key. No keys configured: everyone is refused.
 */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const digests = apiKeys.map(digest);
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const bearer = header === undefined ? undefined : /^Bearer +([^ ]+) *$/i.exec(header)?.[1];
    const given = bearer ?? req.get("x-api-key");
    if (given) {
      const candidate = digest(given);
      let ok = false;
      for (const known of digests) ok = timingSafeEqual(candidate, known) || ok;
      if (ok) return next();
    }
    throw new ChatError("unauthorized", "a valid API key is required (Authorization: Bearer <key> or X-API-Key)");
  };
}
