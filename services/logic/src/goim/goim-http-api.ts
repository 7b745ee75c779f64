import { isChatError, toChatError } from "@chatroom/core";
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from "express";
import { maxPushBodyBytes } from "../config.ts";
import { apiHeaders } from "../http/http-api.ts";
import { markRoute, observeHttp, requestIdOfResponse } from "../metrics/http-observer.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { goimHttpRoutes } from "./goim-http-routes.ts";

/** goim's error codes (result.go). */
const REQUEST_ERR = -400;
const SERVER_ERR = -500;

/**
 * goim's error envelope: HTTP 200 with `{code, message}` — -400 for what the caller got wrong, -500 for what failed
 * here (a backend unavailable; internal errors are logged and not described).
 */
function goimErrors(services: LogicServices): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const chatError = isChatError(error) ? error : toChatError(error);
    const bodyParser = typeof error === "object" && error !== null && "type" in error && "status" in error;
    const clientFault = bodyParser || chatError.status < 500;
    if (chatError.code === "internal" && !bodyParser) {
      services.logger.error(
        { err: error, requestId: requestIdOfResponse(res), method: req.method, path: req.path },
        "goim HTTP request failed",
      );
    }
    if (res.headersSent) return next(error);
    const message = bodyParser ? "the request body could not be read (too large?)" : chatError.message;
    res.status(200).json({ code: clientFault ? REQUEST_ERR : SERVER_ERR, message });
  };
}

/** An unknown path answers 404, in goim's envelope. */
const goimNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ code: -404, message: `no route for ${req.method} ${req.baseUrl}${req.path}` });
};

/**
 * The router of the internal goim HTTP listener (CHATROOM_GOIM_HTTP_LISTEN): goim's /goim/* in goim's response
 * mode, without an API key — goim backends send none. That is only sound on a listener that nothing outside the
 * internal network reaches, which is why it never shares the public listener (docs/goim-compat.md).
 */
export function createGoimHttpApi(services: LogicServices): Router {
  const router = express.Router();
  router.use("/goim", observeHttp({ metrics: services.metrics, logger: services.logger }), apiHeaders);
  router.use("/goim/push", express.raw({ limit: maxPushBodyBytes(services.config), type: () => true }));
  for (const route of goimHttpRoutes(services)) {
    router[route.method](route.path, markRoute(`goim-listener ${route.path}`), (req, res) => route.handle(req, res));
  }
  router.use(goimNotFound);
  router.use(goimErrors(services));
  return router;
}
