import { ChatError, type Closable, type LogicApi } from "@chatroom/core";
import {
  callUnary,
  deadlineAfter,
  fromGrpcError,
  type GrpcTransportOptions,
  grpcChannelOptions,
  isTransportFailure,
} from "@chatroom/core/grpc";
import {
  type ConnectRequest,
  type ConnectResponse,
  type DisconnectRequest,
  type DisconnectResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  LogicServiceClient,
  LogicServiceService,
  type ReceiveRequest,
  type ReceiveResponse,
  type RenewOnlineRequest,
  type RenewOnlineResponse,
} from "@chatroom/proto/grpc";
import { connectivityState, credentials, type MethodDefinition } from "@grpc/grpc-js";

export interface GrpcLogicClientOptions {
  /**
   * Where the logics are: "host:port" entries, or gRPC target URIs ("dns:///logic-headless:3119"). A DNS name may
   * resolve to several logics: each entry is one channel that spreads its calls round-robin over every address
   * its name resolves to; the entries themselves are used in turn.
   */
  addresses: readonly string[];
  /** Deadline of connect, disconnect and receive (default 5 s). */
  timeoutMs?: number;
  /** Deadline of heartbeat and renewOnline, which are periodic and must not pile up (default 3 s). */
  heartbeatTimeoutMs?: number;
  transport?: Partial<GrpcTransportOptions>;
}

interface Target {
  address: string;
  client: LogicServiceClient;
}

/**
 * LogicApi over gRPC with client-side balancing. Calls fail fast (no waitForReady): a call to a logic that is down
 * fails at once with UNAVAILABLE, and a call cut by a logic that dies or shuts down fails with UNAVAILABLE or
 * CANCELLED; such a call is retried once, within the same deadline, on the next target — or, with a single target, on the next
 * address its channel balances over. Every method tolerates that retry: Receive's SEND is idempotent by client
 * message id, the others are reads or idempotent writes (a retried Connect leaves at most one extra presence entry,
 * which expires with its TTL). Answers of logic itself (ChatErrors) are never retried; they are rethrown as sent.
 */
export class GrpcLogicClient implements LogicApi, Closable {
  readonly #targets: Target[];
  readonly #timeoutMs: number;
  readonly #heartbeatTimeoutMs: number;
  #next = 0;
  #closed = false;

  constructor(options: GrpcLogicClientOptions) {
    if (options.addresses.length === 0) throw new Error("GrpcLogicClient needs at least one logic address");
    const channelOptions = grpcChannelOptions({
      service: "chatroom.logic.v1.LogicService",
      loadBalancing: "round_robin",
      ...(options.transport ? { transport: options.transport } : {}),
    });
    this.#targets = options.addresses.map((address) => ({
      address,
      client: new LogicServiceClient(address, credentials.createInsecure(), channelOptions),
    }));
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 3000;
  }

  connect(request: ConnectRequest): Promise<ConnectResponse> {
    return this.#call(LogicServiceService.connect, request, this.#timeoutMs);
  }

  disconnect(request: DisconnectRequest): Promise<DisconnectResponse> {
    return this.#call(LogicServiceService.disconnect, request, this.#timeoutMs);
  }

  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.#call(LogicServiceService.heartbeat, request, this.#heartbeatTimeoutMs);
  }

  renewOnline(request: RenewOnlineRequest): Promise<RenewOnlineResponse> {
    return this.#call(LogicServiceService.renewOnline, request, this.#heartbeatTimeoutMs);
  }

  receive(request: ReceiveRequest): Promise<ReceiveResponse> {
    return this.#call(LogicServiceService.receive, request, this.#timeoutMs);
  }

  /**
   * Readiness: resolves once a connection to some logic is up, waiting up to timeoutMs for one being made; rejects
   * with `unavailable` otherwise. Transport only: a logic that answers is reachable whatever its own backends do.
   */
  async ping(timeoutMs = 1500): Promise<void> {
    if (this.#closed) throw new ChatError("unavailable", "the logic client is closed");
    const deadline = deadlineAfter(timeoutMs);
    const ready = this.#targets.map(
      (target) =>
        new Promise<void>((resolve, reject) =>
          target.client.waitForReady(deadline, (error) => (error ? reject(error) : resolve())),
        ),
    );
    try {
      await Promise.any(ready);
    } catch {
      const addresses = this.#targets.map((t) => t.address).join(", ");
      throw new ChatError("unavailable", `no logic reachable at ${addresses} within ${timeoutMs} ms`);
    }
  }

  /** Closes every channel; calls made afterwards reject with `unavailable`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const target of this.#targets) target.client.close();
  }

  async #call<Req, Res>(method: MethodDefinition<Req, Res>, request: Req, timeoutMs: number): Promise<Res> {
    if (this.#closed) throw new ChatError("unavailable", "the logic client is closed");
    const deadline = deadlineAfter(timeoutMs);
    const [first, second] = this.#order();
    try {
      return await callUnary(first.client, method, request, deadline);
    } catch (error) {
      if (!isTransportFailure(error) || this.#closed || Date.now() >= deadline.getTime()) {
        throw fromGrpcError(error, `logic at ${first.address}`);
      }
    }
    const retry = second ?? first;
    try {
      return await callUnary(retry.client, method, request, deadline);
    } catch (error) {
      throw fromGrpcError(error, `logic at ${retry.address}`);
    }
  }

  /** The targets in turn, those whose connection has failed last (they are tried only when all have failed). */
  #order(): [Target, ...Target[]] {
    const count = this.#targets.length;
    const start = this.#next;
    this.#next = (this.#next + 1) % count;
    const healthy: Target[] = [];
    const failing: Target[] = [];
    for (let i = 0; i < count; i += 1) {
      const target = this.#targets[(start + i) % count]!;
      // true: an idle channel starts connecting, so it is ready by the time it comes round.
      const state = target.client.getChannel().getConnectivityState(true);
      (state === connectivityState.TRANSIENT_FAILURE ? failing : healthy).push(target);
    }
    return [...healthy, ...failing] as [Target, ...Target[]];
  }
}
