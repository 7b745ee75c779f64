import { ChatError, type Logger, originAllowed } from "@chatroom/core";
import type { Request } from "express";

/** Methods that change state; reads are left alone (without CORS headers a foreign page cannot read the answer). */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Cross-origin request forgery guard for requests authenticated by the session cookie: a state-changing request
 * whose Origin header is neither the server's own (its host equals the Host header) nor in CHATROOM_ALLOWED_ORIGINS
 * is refused with 403 forbidden. SameSite=Strict already keeps the cookie off cross-site requests; this also covers
 * other origins of the same site (another port, a sibling subdomain) and browsers that ignore SameSite. A request
 * without Origin is not a browser's cross-origin request and passes; Bearer and API key calls never get here.
 */
export function crossOriginGuard(allowedOrigins: readonly string[], logger: Logger): (req: Request) => void {
  return (req) => {
    if (!STATE_CHANGING.has(req.method)) return;
    const origin = req.get("origin");
    if (originAllowed(origin, req.get("host"), allowedOrigins)) return;
    logger.warn({ origin, host: req.get("host"), method: req.method, path: req.path }, "cross-origin request refused");
    throw new ChatError(
      "forbidden",
      `requests from origin ${origin} may not use the session cookie; use the page served by this server, add the ` +
        "origin to CHATROOM_ALLOWED_ORIGINS, or authenticate with Authorization: Bearer",
    );
  };
}
