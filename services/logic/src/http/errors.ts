import { ChatError, type ErrorCode, isChatError, type Logger, toChatError } from "@chatroom/core";
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { requestIdOfResponse } from "../metrics/http-observer.ts";

/** body-parser failures carry `type` and `status`; map them onto our codes. */
function fromBodyParser(error: unknown): ChatError | null {
  if (typeof error !== "object" || error === null || !("type" in error) || typeof error.type !== "string") {
    return null;
  }
  switch (error.type) {
    case "entity.too.large":
      return new ChatError("payload_too_large", "the request body is too large");
    case "entity.parse.failed":
      return new ChatError("bad_request", "the request body is not valid JSON");
    case "charset.unsupported":
    case "encoding.unsupported":
    case "entity.verify.failed":
    case "request.size.invalid":
    case "request.aborted":
      return new ChatError("bad_request", "the request body could not be read");
    default:
      return null;
  }
}

export function sendError(res: Response, error: ChatError): void {
  if (error.code === "rate_limited") {
    res.setHeader("Retry-After", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
  }
  res.status(error.status).json({ error: { code: error.code, message: error.message } });
}

/** Every error becomes `{error: {code, message}}` with its status; internal failures are logged, not shown. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const chatError = isChatError(error) ? error : (fromBodyParser(error) ?? toChatError(error));
    if (chatError.code === "internal") {
      logger.error(
        { err: error, requestId: requestIdOfResponse(res), method: req.method, path: req.path },
        "HTTP request failed",
      );
    }
    if (res.headersSent) return next(error);
    sendError(res, chatError);
  };
}

export function notFound(code: ErrorCode = "not_found"): RequestHandler {
  return (req) => {
    throw new ChatError(code, `no route for ${req.method} ${req.baseUrl}${req.path}`);
  };
}
