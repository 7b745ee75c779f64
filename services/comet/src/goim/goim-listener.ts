import { createServer } from "node:http";
import { isLoopbackHost, type Logger } from "@chatroom/core";
import { closableHttpServer, listenHttp } from "@chatroom/core/grpc";
import type { Comet } from "../comet.ts";
import type { CometConfig } from "../config.ts";
import { goimDialect } from "./goim-dialect.ts";

export interface GoimListener {
  /** host:port it listens on. */
  address: string;
  /** ws://host:port/sub */
  url: string;
  close(): Promise<void>;
}

/**
 * The comet's goim listener (CHATROOM_COMET_GOIM_LISTEN): a WebSocket server of its own, apart from the public one,
 * serving goim's `/sub` in goim's dialect with the CHATROOM_COMET_GOIM_AUTH policy. Apart because `trust` believes
 * the `mid` a client sends: that is only sound where nothing outside the internal network can connect, which a
 * separate port (bound to an internal address, not exposed by the Ingress) makes explicit. Resolves to null when
 * the listener is not configured.
 */
export async function startGoimListener(
  comet: Comet,
  config: CometConfig,
  logger: Logger,
): Promise<GoimListener | null> {
  const listen = config.goimWsListen;
  if (!listen) return null;
  const trusted = config.goimWsAuth === "trust";
  const server = createServer((_request, response) => {
    response.writeHead(404, { "content-type": "text/plain" }).end("goim listener: WebSocket /sub only\n");
  });
  comet.attach(server, { "/sub": goimDialect(trusted) });
  const { address } = await listenHttp(server, listen.port, listen.host);
  if (trusted && !isLoopbackHost(listen.host)) {
    logger.warn(
      { address },
      "goim listener trusts the client's mid (CHATROOM_COMET_GOIM_AUTH=trust): only the internal network may reach it",
    );
  }
  logger.info({ address, auth: config.goimWsAuth }, "goim listener listening (WebSocket /sub)");
  return { address, url: `ws://${address}/sub`, ...closableHttpServer(server) };
}
