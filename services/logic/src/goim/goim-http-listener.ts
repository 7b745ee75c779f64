import { createServer } from "node:http";
import { isLoopbackHost, type ListenAddress, type Logger } from "@chatroom/core";
import { closableHttpServer, listenHttp } from "@chatroom/core/grpc";
import express, { type Router } from "express";

export interface GoimHttpListener {
  /** host:port it listens on. */
  address: string;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the goim-mode router (Logic.goimHttp) on its own listener, CHATROOM_GOIM_HTTP_LISTEN — never on the public
 * one, since it takes no API key. Resolves to null when not configured.
 */
export async function startGoimHttpListener(
  router: Router,
  listen: ListenAddress | null,
  logger: Logger,
): Promise<GoimHttpListener | null> {
  if (!listen) return null;
  const app = express();
  app.disable("x-powered-by");
  app.use(router);
  const server = createServer(app);
  const { address } = await listenHttp(server, listen.port, listen.host);
  if (!isLoopbackHost(listen.host)) {
    logger.warn({ address }, "goim HTTP listener takes no API key: only the internal network may reach it");
  }
  logger.info({ address }, "goim HTTP listener listening (/goim/*, goim's response mode)");
  return { address, url: `http://${address}`, ...closableHttpServer(server) };
}
