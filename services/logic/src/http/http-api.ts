import express, { type RequestHandler, type Router } from "express";
import { maxPushBodyBytes } from "../config.ts";
import { markRoute, observeHttp } from "../metrics/http-observer.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { accountRoutes } from "./account-routes.ts";
import { requireApiKey, requireSession } from "./authentication.ts";
import { errorHandler, notFound } from "./errors.ts";
import { goimRoutes } from "./goim-routes.ts";
import { messageRoutes } from "./message-routes.ts";
import { moderationRoutes } from "./moderation-routes.ts";
import { openApiRoute } from "./openapi-route.ts";
import { roomRoutes } from "./room-routes.ts";
import type { Route } from "./route.ts";

export function httpRoutes(services: LogicServices): Route[] {
  return [
    ...accountRoutes(services),
    ...roomRoutes(services),
    ...moderationRoutes(services),
    ...messageRoutes(services),
    ...goimRoutes(services),
    openApiRoute(),
  ];
}

/**
 * Every API answer: never cached (it is per session), never sniffed into HTML, never rendered as a page with any
 * active content or inside a frame, and no Referer for whatever links a client might follow from it.
 */
export const apiHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  next();
};

/**
 * The client API under /api and goim's push API under /goim, as one router for the composition root to mount at
 * `/`. Unknown paths below those prefixes answer 404 JSON; every error is `{error: {code, message}}`.
 */
export function createHttpApi(services: LogicServices): Router {
  const { config } = services;
  const router = express.Router();
  router.use(["/api", "/goim"], observeHttp({ metrics: services.metrics, logger: services.logger }), apiHeaders);
  router.use(
    "/api",
    express.json({ limit: config.httpBodyLimitBytes, type: ["application/json", "application/*+json"] }),
  );
  router.use("/goim/push", express.raw({ limit: maxPushBodyBytes(config), type: () => true }));

  const session = requireSession(services);
  const apiKey = requireApiKey(config.apiKeys);
  for (const route of httpRoutes(services)) {
    const guards = route.auth === "session" ? [session] : route.auth === "api-key" ? [apiKey] : [];
    router[route.method](route.path, markRoute(route.path), ...guards, (req, res) => route.handle(req, res));
  }

  router.use(["/api", "/goim"], notFound());
  router.use(errorHandler(services.logger));
  return router;
}
