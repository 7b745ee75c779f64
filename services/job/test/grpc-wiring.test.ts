import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ChatClient, ChatHttp, type ChatMessage } from "@chatroom/client";
import { type Comet, createComet, loadCometConfig } from "@chatroom/comet";
import {
  type Closable,
  keepRegistered,
  type Logger,
  loadConfig,
  MemoryCometRegistry,
  MemoryPresence,
  MemoryPushBus,
  MemoryRateLimiter,
  openSqliteStores,
} from "@chatroom/core";
import { waitFor } from "@chatroom/core/testing";
import { createLogic, loadLogicConfig } from "@chatroom/logic";
import express from "express";
import { serveCometGrpc } from "../../comet/src/grpc/comet-grpc-server.ts";
import { GrpcLogicClient } from "../../comet/src/grpc/grpc-logic-client.ts";
import { serveLogicGrpc } from "../../logic/src/grpc/logic-grpc-server.ts";
import { jobConfigSchema } from "../src/config.ts";
import { grpcCometConnector } from "../src/grpc/grpc-comet-connector.ts";
import { type Job, startJob } from "../src/job.ts";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function closableServer(server: Server): Closable {
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * logic, two comets and job in one process, wired only through gRPC: comets call logic through GrpcLogicClient,
 * job calls the comets through grpcCometConnector at the addresses they registered.
 */
describe("the whole chat path over gRPC in one process", () => {
  const closers: Closable[] = [];
  let apiUrl = "";
  const wsUrls: string[] = [];
  const comets: Comet[] = [];
  let job: Job;

  before(async () => {
    const stores = openSqliteStores({ path: ":memory:" });
    const presence = new MemoryPresence();
    const bus = new MemoryPushBus();
    const rateLimiter = new MemoryRateLimiter();
    const registry = new MemoryCometRegistry();
    closers.push(stores, presence, rateLimiter, registry, bus);

    const logic = await createLogic({
      stores,
      presence,
      bus,
      rateLimiter,
      config: loadLogicConfig({}, { tokenSecret: "a-test-secret-that-is-long-enough-1234" }),
    });
    closers.push(logic);
    const logicGrpc = await serveLogicGrpc({ api: logic.api, host: "127.0.0.1", port: 0 });
    closers.push(logicGrpc);
    const app = express();
    app.use(logic.http);
    const httpServer = createServer(app);
    apiUrl = `http://127.0.0.1:${await listen(httpServer)}`;
    closers.push(closableServer(httpServer));

    for (const id of ["comet-1", "comet-2"]) {
      const logicClient = new GrpcLogicClient({ addresses: [logicGrpc.address] });
      closers.push(logicClient);
      const comet = createComet({
        config: loadCometConfig({}, { id, renewOnlineIntervalMs: 200 }),
        logic: logicClient,
        logger: silent,
      });
      const wsServer = createServer((_request, response) => response.writeHead(404).end());
      comet.attach(wsServer, "/ws");
      const wsUrl = `ws://127.0.0.1:${await listen(wsServer)}/ws`;
      closers.push(closableServer(wsServer), comet);
      const cometGrpc = await serveCometGrpc({ api: comet.api, host: "127.0.0.1", port: 0 });
      closers.push(cometGrpc);
      closers.push(
        await keepRegistered(registry, { id, grpcAddress: cometGrpc.address, wsUrl, startedAtMs: Date.now() }, 10_000),
      );
      comets.push(comet);
      wsUrls.push(wsUrl);
    }

    job = await startJob({
      bus,
      presence,
      registry,
      connect: grpcCometConnector({ timeoutMs: 5000 }),
      config: loadConfig(jobConfigSchema, {}),
    });
    closers.push(job);
    await waitFor(() => job.comets().length === 2, "job to connect to both comets");
  });

  after(async () => {
    for (const closer of closers.reverse()) await closer.close();
  });

  async function person(name: string, wsUrl: string) {
    const http = new ChatHttp({ baseUrl: apiUrl });
    const { member, token } = await http.register(`${name}${process.pid}`, "correct horse battery");
    const client = new ChatClient({ url: wsUrl, token, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    const messages: ChatMessage[] = [];
    client.on("message", (message) => messages.push(message));
    closers.push(client);
    await client.connect();
    return { memberId: member.id, client, messages, texts: (room: string) => texts(messages, room) };
  }

  function texts(messages: ChatMessage[], room: string): string[] {
    return messages.filter((m) => m.roomId === room).map((m) => m.text);
  }

  it("lets members on two comets chat in the lobby and by direct message", async () => {
    const alice = await person("alice", wsUrls[0]!);
    const bob = await person("bob", wsUrls[1]!);
    await waitFor(() => comets.every((c) => c.stats().connections === 1), "one connection on each comet");

    const sent = await alice.client.send("lobby", "hello from comet-1");
    assert.ok(sent.message && sent.message.seq > 0, "logic acknowledged the send through gRPC");
    await bob.client.send("lobby", "hi from comet-2");
    await waitFor(() => bob.texts("lobby").includes("hello from comet-1"), "bob to get alice's message");
    await waitFor(() => alice.texts("lobby").includes("hi from comet-2"), "alice to get bob's message");
    assert.deepEqual(alice.texts("lobby"), ["hello from comet-1", "hi from comet-2"]);
    assert.deepEqual(bob.texts("lobby"), ["hello from comet-1", "hi from comet-2"]);

    const direct = await bob.client.sendDirect(alice.memberId, "a secret over grpc");
    const roomId = direct.message?.roomId ?? "";
    assert.match(roomId, /^dm:\d+:\d+$/);
    await waitFor(() => alice.texts(roomId).includes("a secret over grpc"), "alice to get bob's direct message");
    await waitFor(() => bob.texts(roomId).includes("a secret over grpc"), "bob to see his direct message");
    assert.equal(alice.messages.find((m) => m.roomId === roomId)?.senderId, bob.memberId);
  });
});
