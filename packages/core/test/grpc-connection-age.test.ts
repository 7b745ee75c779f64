// gRPC servers age their connections out (CHATROOM_GRPC_MAX_CONNECTION_AGE_MS): grpc-js clients look a target's name
// up again only when a connection drops, so without a maximum age the comets' round-robin over logic's headless
// Service would never reach a logic added by a scale-out. The aging must not fail a single call.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grpcChannelOptions, startGrpcServer } from "@chatroom/core/grpc";
import { Client, credentials, type ServiceDefinition } from "@grpc/grpc-js";

const identity = (value: Buffer) => value;
const definition: ServiceDefinition = {
  Echo: {
    path: "/chatroom.test.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

describe("gRPC connection age", () => {
  it("recycles each client connection after the maximum age while every call succeeds", async () => {
    const peers = new Set<string>();
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      transport: { maxConnectionAgeMs: 600, maxConnectionAgeGraceMs: 300 },
      services: [
        {
          definition,
          implementation: {
            Echo(call: { request: Buffer; getPeer(): string }, callback: (e: Error | null, v?: Buffer) => void) {
              peers.add(call.getPeer());
              callback(null, call.request);
            },
          },
        },
      ],
    });
    const client = new Client(`dns:///localhost:${server.port}`, credentials.createInsecure(), grpcChannelOptions());
    try {
      const deadline = Date.now() + 3_000;
      let calls = 0;
      while (Date.now() < deadline) {
        const reply = await new Promise<Buffer>((resolve, reject) => {
          client.makeUnaryRequest(
            "/chatroom.test.Echo/Echo",
            identity,
            identity,
            Buffer.from(`call ${calls}`),
            { deadline: Date.now() + 2_000 },
            (error, value) => (error ? reject(error) : resolve(value as Buffer)),
          );
        });
        assert.equal(reply.toString(), `call ${calls}`);
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // 3 s at a 600 ms (±10 %) maximum age: the client must have come back on new connections several times.
      assert.ok(peers.size >= 3, `connections seen: ${[...peers].join(", ")} over ${calls} calls`);
    } finally {
      client.close();
      await server.close();
    }
  });
});
