import type { LogicApi } from "@chatroom/core";
import { silentLogger } from "@chatroom/core";
import type { Router } from "express";
import { validateLogicConfig } from "./config.ts";
import { createGoimHttpApi } from "./goim/goim-http-api.ts";
import { createHttpApi } from "./http/http-api.ts";
import { LogicApiImpl } from "./logic-api/logic-api-impl.ts";
import { instrumentLogicApi } from "./metrics/instrument-logic-api.ts";
import { createLogicServices, type LogicDeps } from "./services/logic-services.ts";

export {
  type LogicConfig,
  loadLogicConfig,
  logicConfigSchema,
  MIN_TOKEN_SECRET_LENGTH,
  validateLogicConfig,
} from "./config.ts";
export { type GoimHttpListener, startGoimHttpListener } from "./goim/goim-http-listener.ts";
export { goimHttpRoutes } from "./goim/goim-http-routes.ts";
export { type GoimIdentity, type GoimVerifier, signGoimCredential } from "./goim/goim-verifier.ts";
export { httpRoutes } from "./http/http-api.ts";
export { LogicMetrics } from "./metrics/logic-metrics.ts";
export type { LogicDeps } from "./services/logic-services.ts";

export interface Logic {
  /** For comets: in-process here, behind gRPC when distributed. */
  api: LogicApi;
  /** The HTTP API: mount at `/`; it serves /api/** and /goim/**. */
  http: Router;
  /**
   * goim's /goim/** in goim's response mode without an API key, for the internal goim listener only
   * (startGoimHttpListener serves it at CHATROOM_GOIM_HTTP_LISTEN).
   */
  goimHttp: Router;
  /** Stops logic's own timers; the backends in deps belong to the caller, who closes them. */
  close(): Promise<void>;
}

/** How often expired sessions are deleted from the session store. */
const SESSION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Wires logic over its backends and makes sure the `lobby` room exists. */
export async function createLogic(deps: LogicDeps): Promise<Logic> {
  validateLogicConfig(deps.config);
  const logger = deps.logger ?? silentLogger;
  const services = createLogicServices(deps, logger);
  await services.rooms.ensureLobby();

  const sweep = setInterval(() => {
    services.stores.sessions.deleteExpired(services.now()).catch((error: unknown) => {
      logger.warn({ err: error }, "deleting expired sessions failed");
    });
  }, SESSION_SWEEP_INTERVAL_MS);
  sweep.unref();

  const api = new LogicApiImpl(services);
  return {
    api: deps.metrics ? instrumentLogicApi(api, deps.metrics) : api,
    http: createHttpApi(services),
    goimHttp: createGoimHttpApi(services),
    async close() {
      clearInterval(sweep);
      services.online.close();
      services.signals.close();
    },
  };
}
export { logicServiceImplementation, serveLogicGrpc } from "./grpc/logic-grpc-server.ts";
export { logicProcessConfigSchema } from "./grpc/logic-process-config.ts";
export { trustProxySetting } from "./http/trust-proxy.ts";
