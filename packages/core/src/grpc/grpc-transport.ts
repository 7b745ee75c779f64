import type { ChannelOptions, ServerOptions } from "@grpc/grpc-js";

/** Connection settings shared by every chatroom gRPC client and server (see grpcConfigSchema for the env). */
export interface GrpcTransportOptions {
  /** Largest message sent or received, in bytes. */
  maxMessageBytes: number;
  /** Idle connections are pinged this often, so a dead peer (a killed pod) is noticed without a call failing. */
  keepaliveTimeMs: number;
  /** A ping unanswered for this long closes the connection. */
  keepaliveTimeoutMs: number;
  /** Reconnection backoff after a failed connect: first delay, doubled up to the maximum. */
  initialReconnectBackoffMs: number;
  maxReconnectBackoffMs: number;
  /**
   * A server closes each connection (GOAWAY) after this long, ±10 %, so that clients reconnect and resolve the
   * target's name again: a logic added by a scale-out gets the comets' calls within about this time (grpc-js
   * re-resolves DNS only when a connection drops).
   */
  maxConnectionAgeMs: number;
  /** Calls in flight on a connection being aged out get this long to finish before it is cut. */
  maxConnectionAgeGraceMs: number;
}

export const DEFAULT_GRPC_TRANSPORT: GrpcTransportOptions = {
  maxMessageBytes: 4 * 1024 * 1024,
  keepaliveTimeMs: 10_000,
  keepaliveTimeoutMs: 5_000,
  initialReconnectBackoffMs: 200,
  maxReconnectBackoffMs: 5_000,
  maxConnectionAgeMs: 60_000,
  maxConnectionAgeGraceMs: 10_000,
};

export interface GrpcChannelOptionsInput {
  transport?: Partial<GrpcTransportOptions>;
  /** Full service name ("chatroom.logic.v1.LogicService"): calls fail fast instead of waiting for a connection. */
  service?: string;
  /**
   * "round_robin" spreads calls over every address a target resolves to (a headless Service's pods);
   * "pick_first" (grpc default) uses one connection.
   */
  loadBalancing?: "round_robin" | "pick_first";
}

/** Channel options for a client: keepalive, message size limits, reconnect backoff, LB policy, no waitForReady. */
export function grpcChannelOptions(input: GrpcChannelOptionsInput = {}): ChannelOptions {
  const t = { ...DEFAULT_GRPC_TRANSPORT, ...input.transport };
  const serviceConfig = {
    loadBalancingConfig: [{ [input.loadBalancing ?? "round_robin"]: {} }],
    methodConfig: input.service ? [{ name: [{ service: input.service }], waitForReady: false }] : [],
  };
  return {
    "grpc.keepalive_time_ms": t.keepaliveTimeMs,
    "grpc.keepalive_timeout_ms": t.keepaliveTimeoutMs,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.max_send_message_length": t.maxMessageBytes,
    "grpc.max_receive_message_length": t.maxMessageBytes,
    "grpc.initial_reconnect_backoff_ms": t.initialReconnectBackoffMs,
    "grpc.max_reconnect_backoff_ms": t.maxReconnectBackoffMs,
    "grpc.service_config": JSON.stringify(serviceConfig),
    // Each client owns its connections: closing one client never drops another's (job's per-comet clients).
    "grpc.use_local_subchannel_pool": 1,
  };
}

/** Server options: the same keepalive and size limits as the clients, and the connections' maximum age. */
export function grpcServerOptions(transport: Partial<GrpcTransportOptions> = {}): ServerOptions {
  const t = { ...DEFAULT_GRPC_TRANSPORT, ...transport };
  return {
    "grpc.keepalive_time_ms": t.keepaliveTimeMs,
    "grpc.keepalive_timeout_ms": t.keepaliveTimeoutMs,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.max_send_message_length": t.maxMessageBytes,
    "grpc.max_receive_message_length": t.maxMessageBytes,
    "grpc.max_connection_age_ms": t.maxConnectionAgeMs,
    "grpc.max_connection_age_grace_ms": t.maxConnectionAgeGraceMs,
  };
}
