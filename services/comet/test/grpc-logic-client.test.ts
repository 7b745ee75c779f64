import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { ChatError, type ErrorCode, type LogicApi } from "@chatroom/core";
import { ERROR_CODE_KEY, type RunningGrpcServer } from "@chatroom/core/grpc";
import {
  type ConnectRequest,
  type ConnectResponse,
  Dialect,
  type DisconnectRequest,
  type HeartbeatRequest,
  LogicServiceClient,
  type ReceiveRequest,
  type ReceiveResponse,
  type RenewOnlineRequest,
} from "@chatroom/proto/grpc";
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { serveLogicGrpc } from "../../logic/src/grpc/logic-grpc-server.ts";
import { GrpcLogicClient } from "../src/grpc/grpc-logic-client.ts";

const ALL_CODES: ErrorCode[] = [
  "bad_request",
  "invalid_text",
  "invalid_username",
  "invalid_password",
  "invalid_room_id",
  "unauthorized",
  "token_expired",
  "session_revoked",
  "forbidden",
  "not_member",
  "not_found",
  "room_not_found",
  "member_not_found",
  "username_taken",
  "room_exists",
  "conflict",
  "payload_too_large",
  "limit_exceeded",
  "rate_limited",
  "unavailable",
  "internal",
];

const CONNECT_RESPONSE: ConnectResponse = {
  memberId: 9_007_199_254_740,
  key: "session-1:conn-7",
  roomIds: ["lobby", "dm:1:2"],
  accepts: [1000, 1001],
  heartbeatMs: 30_000,
  authReply: new Uint8Array([0, 1, 2, 253, 254, 255]),
  sessionId: "session-1",
  expiresAtMs: 1_900_000_000_000,
};

const RECEIVE_RESPONSE: ReceiveResponse = {
  protos: [
    { ver: 1, op: 5, seq: 42, body: new Uint8Array([9, 8, 7]) },
    { ver: 1, op: 9, seq: 0, body: new Uint8Array(70_000).fill(0xab) },
  ],
  joinRooms: ["rust"],
  leaveRooms: ["go"],
  replaceRooms: true,
  acceptsAdd: [1002],
  acceptsRemove: [1000],
};

/** A hand-written LogicApi: answers fixed responses, records every request, fails on demand. */
class RecordingLogic implements LogicApi {
  readonly calls: Array<{ method: string; request: unknown }> = [];
  failure: unknown = null;
  /** Runs inside receive() before it answers (e.g. to kill the server mid-call). */
  onReceive: () => Promise<void> = async () => {};

  #record(method: string, request: unknown): void {
    this.calls.push({ method, request });
    if (this.failure !== null) throw this.failure;
  }

  async connect(request: ConnectRequest) {
    this.#record("connect", request);
    return CONNECT_RESPONSE;
  }
  async disconnect(request: DisconnectRequest) {
    this.#record("disconnect", request);
    return { has: true };
  }
  async heartbeat(request: HeartbeatRequest) {
    this.#record("heartbeat", request);
    return { valid: true };
  }
  async renewOnline(request: RenewOnlineRequest) {
    this.#record("renewOnline", request);
    return { allRoomCount: { lobby: 12, "dm:1:2": 2 } };
  }
  async receive(request: ReceiveRequest) {
    this.#record("receive", request);
    await this.onReceive();
    return RECEIVE_RESPONSE;
  }
}

const RECEIVE_REQUEST: ReceiveRequest = {
  memberId: 7,
  key: "k-7",
  server: "comet-a",
  proto: { ver: 1, op: 4, seq: 3, body: new Uint8Array([0, 255, 128, 10]) },
  dialect: Dialect.DIALECT_GOIM,
};

/** Bytes fields decode as Buffers (views of the received message): compare them as plain Uint8Arrays. */
function plain<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T;
  }
  return value;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

const closers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const closer of closers.reverse()) await closer.close();
});

async function serve(logic: LogicApi, onError?: (error: unknown) => void): Promise<RunningGrpcServer> {
  const server = await serveLogicGrpc({ api: logic, host: "127.0.0.1", port: 0, ...(onError ? { onError } : {}) });
  closers.push(server);
  return server;
}

function client(addresses: string[], timeoutMs = 5000): GrpcLogicClient {
  const logicClient = new GrpcLogicClient({ addresses, timeoutMs, heartbeatTimeoutMs: timeoutMs });
  closers.push(logicClient);
  return logicClient;
}

describe("LogicService over gRPC", () => {
  it("round-trips every LogicApi method with its request and response intact", async () => {
    const logic = new RecordingLogic();
    const server = await serve(logic);
    const api = client([server.address]);

    const connectRequest: ConnectRequest = {
      server: "comet-a",
      cookie: "chatroom_session=abc; theme=dark",
      token: new Uint8Array([10, 3, 97, 98, 99]),
      dialect: Dialect.DIALECT_GOIM,
      trusted: true,
    };
    assert.deepEqual(plain(await api.connect(connectRequest)), CONNECT_RESPONSE);
    assert.deepEqual(await api.disconnect({ memberId: 7, key: "k-7", server: "comet-a" }), { has: true });
    const heartbeatRequest = {
      memberId: 7,
      key: "k-7",
      server: "comet-a",
      roomIds: ["lobby"],
      dialect: Dialect.DIALECT_GOIM,
    };
    assert.deepEqual(await api.heartbeat(heartbeatRequest), { valid: true });
    const renewRequest = { server: "comet-a", roomCount: { lobby: 3, "dm:1:2": 1 } };
    assert.deepEqual(await api.renewOnline(renewRequest), { allRoomCount: { lobby: 12, "dm:1:2": 2 } });
    assert.deepEqual(plain(await api.receive(RECEIVE_REQUEST)), RECEIVE_RESPONSE);

    assert.deepEqual(plain(logic.calls), [
      { method: "connect", request: connectRequest },
      { method: "disconnect", request: { memberId: 7, key: "k-7", server: "comet-a" } },
      { method: "heartbeat", request: heartbeatRequest },
      { method: "renewOnline", request: renewRequest },
      { method: "receive", request: RECEIVE_REQUEST },
    ]);
  });

  it("delivers every ChatError with the same code, message and retryAfterMs", async () => {
    const logic = new RecordingLogic();
    const server = await serve(logic);
    const api = client([server.address]);
    for (const code of ALL_CODES) {
      const sent = new ChatError(code, `${code}: café ☕ — "quoted" 100%`, {
        retryAfterMs: code === "rate_limited" ? 1234 : 0,
      });
      logic.failure = sent;
      await assert.rejects(api.receive(RECEIVE_REQUEST), (error: unknown) => {
        assert.ok(error instanceof ChatError, `${code} arrives as a ChatError`);
        assert.equal(error.code, code);
        assert.equal(error.message, sent.message);
        assert.equal(error.retryAfterMs, sent.retryAfterMs);
        return true;
      });
    }
  });

  it("answers standard gRPC status codes, so that any gRPC client understands the failure", async () => {
    const logic = new RecordingLogic();
    const server = await serve(logic);
    const raw = new LogicServiceClient(server.address, credentials.createInsecure());
    const expected: Array<[ErrorCode, status]> = [
      ["token_expired", status.UNAUTHENTICATED],
      ["not_member", status.PERMISSION_DENIED],
      ["room_not_found", status.NOT_FOUND],
      ["invalid_text", status.INVALID_ARGUMENT],
      ["rate_limited", status.RESOURCE_EXHAUSTED],
      ["payload_too_large", status.RESOURCE_EXHAUSTED],
      ["room_exists", status.ALREADY_EXISTS],
      ["unavailable", status.UNAVAILABLE],
      ["internal", status.INTERNAL],
    ];
    try {
      for (const [code, grpcStatus] of expected) {
        logic.failure = new ChatError(code, `failed with ${code}`);
        const error = await new Promise<ServiceError | null>((resolve) =>
          raw.disconnect({ memberId: 1, key: "k", server: "s" }, (e) => resolve(e)),
        );
        assert.equal(error?.code, grpcStatus, `${code} → ${status[grpcStatus]}`);
        assert.equal(error?.details, `failed with ${code}`);
        assert.deepEqual(error?.metadata.get(ERROR_CODE_KEY), [code]);
      }
    } finally {
      raw.close();
    }
  });

  it("turns a failure that is not a ChatError into internal without leaking it, and reports it", async () => {
    const logic = new RecordingLogic();
    const reported: unknown[] = [];
    const server = await serve(logic, (error) => reported.push(error));
    const api = client([server.address]);
    const bug = new TypeError("password=hunter2 in a stack trace");
    logic.failure = bug;
    await assert.rejects(api.heartbeat({ memberId: 1, key: "k", server: "s", roomIds: [] }), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, "internal");
      assert.equal(error.message, "internal error");
      return true;
    });
    assert.deepEqual(reported, [bug]);
  });

  it("rejects with unavailable when the only logic address has nothing listening", async () => {
    const api = client([await deadAddress()], 3000);
    await assert.rejects(api.connect({ server: "s", cookie: "", token: new Uint8Array() }), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, "unavailable");
      assert.match(error.message, /^logic at 127\.0\.0\.1:\d+ is unavailable/);
      return true;
    });
  });

  it("fails over to the second logic address when the first is down", async () => {
    const logic = new RecordingLogic();
    const live = await serve(logic);
    const api = client([await deadAddress(), live.address]);
    for (let i = 0; i < 6; i += 1) assert.deepEqual(plain(await api.receive(RECEIVE_REQUEST)), RECEIVE_RESPONSE);
    assert.deepEqual(await api.renewOnline({ server: "s", roomCount: {} }), {
      allRoomCount: { lobby: 12, "dm:1:2": 2 },
    });
    assert.equal(logic.calls.length, 7, "the live logic served every call");
  });

  it("spreads calls over the logics and keeps working on the rest when one stops", async () => {
    const first = new RecordingLogic();
    const second = new RecordingLogic();
    const firstServer = await serve(first);
    const secondServer = await serve(second);
    const api = client([firstServer.address, secondServer.address]);
    for (let i = 0; i < 4; i += 1) await api.heartbeat({ memberId: 1, key: "k", server: "s", roomIds: [] });
    assert.ok(first.calls.length > 0 && second.calls.length > 0, "both logics got calls");

    await firstServer.close();
    const before = second.calls.length;
    for (let i = 0; i < 6; i += 1) assert.deepEqual(plain(await api.receive(RECEIVE_REQUEST)), RECEIVE_RESPONSE);
    assert.equal(second.calls.length - before, 6, "the remaining logic served every call");
  });

  it("retries a Receive cut by a logic that dies mid-call on another logic", async () => {
    const dying = new RecordingLogic();
    const healthy = new RecordingLogic();
    const dyingServer = await serve(dying);
    const healthyServer = await serve(healthy);
    // The first call goes to the first address; its server is cut while the call is in flight.
    dying.onReceive = async () => {
      void dyingServer.close(0);
      await new Promise<never>(() => {});
    };
    const api = client([dyingServer.address, healthyServer.address]);
    assert.deepEqual(plain(await api.receive(RECEIVE_REQUEST)), RECEIVE_RESPONSE);
    assert.equal(dying.calls.length, 1, "the dying logic received the call");
    assert.deepEqual(plain(healthy.calls), [{ method: "receive", request: RECEIVE_REQUEST }]);
  });

  it("does not retry an unavailable answered by logic itself", async () => {
    const first = new RecordingLogic();
    const second = new RecordingLogic();
    first.failure = new ChatError("unavailable", "the store is down");
    second.failure = new ChatError("unavailable", "the store is down");
    const api = client([(await serve(first)).address, (await serve(second)).address]);
    await assert.rejects(api.receive(RECEIVE_REQUEST), { code: "unavailable", message: "the store is down" });
    assert.equal(first.calls.length + second.calls.length, 1, "one call, no retry");
  });

  it("rejects calls with unavailable once closed", async () => {
    const logic = new RecordingLogic();
    const server = await serve(logic);
    const api = client([server.address]);
    assert.deepEqual(await api.heartbeat({ memberId: 1, key: "k", server: "s", roomIds: [] }), { valid: true });
    await api.close();
    await assert.rejects(api.receive(RECEIVE_REQUEST), { code: "unavailable" });
    assert.equal(logic.calls.length, 1);
  });
});
