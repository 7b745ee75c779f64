import type { Logger } from "@chatroom/core";
import { requestIdOf, secondsSince } from "@chatroom/core/observability";
import type { RequestHandler, Response } from "express";
import type { LogicMetrics } from "./logic-metrics.ts";

const routes = new WeakMap<Response, string>();
const requestIds = new WeakMap<Response, string>();

/** Status recorded for a request whose client went away before the response was complete. */
const CLIENT_CLOSED = 499;

/** Marks the route template (`/api/v1/rooms/:roomId`) a request matched: the `route` label, never the raw path. */
export function markRoute(template: string): RequestHandler {
  return (_req, res, next) => {
    routes.set(res, template);
    next();
  };
}

/** The request id of the request this response answers ("" outside observeHttp). */
export function requestIdOfResponse(res: Response): string {
  return requestIds.get(res) ?? "";
}

/**
 * Gives each request its id (x-request-id if the caller sent a sane one, else a new UUID; echoed in the response's
 * x-request-id), and once the response is done records chatroom_logic_http_request_duration_seconds and a debug
 * access log line. Paths that matched no route are labelled "unmatched".
 */
export function observeHttp(options: { metrics: LogicMetrics | undefined; logger: Logger }): RequestHandler {
  const { metrics, logger } = options;
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const requestId = requestIdOf(req.headers["x-request-id"]);
    requestIds.set(res, requestId);
    res.setHeader("x-request-id", requestId);
    res.once("close", () => {
      const seconds = secondsSince(start);
      const route = routes.get(res) ?? "unmatched";
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
      metrics?.httpRequest(req.method, route, status, seconds);
      logger.debug(
        { requestId, method: req.method, route, status, durationMs: Math.round(seconds * 1e4) / 10 },
        "HTTP request",
      );
    });
    next();
  };
}
