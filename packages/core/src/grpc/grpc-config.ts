import { type ConfigOf, setting } from "../config/config.ts";
import type { GrpcTransportOptions } from "./grpc-transport.ts";

/** The gRPC settings every standalone service reads (spread into its own schema). */
export const grpcConfigSchema = {
  grpcMaxMessageBytes: setting.int(
    "CHATROOM_GRPC_MAX_MESSAGE_BYTES",
    4 * 1024 * 1024,
    "Largest gRPC message between services, sent or received",
    { min: 64 * 1024 },
  ),
  grpcKeepaliveTimeMs: setting.int(
    "CHATROOM_GRPC_KEEPALIVE_TIME_MS",
    10_000,
    "gRPC connections between services are pinged this often so that a dead peer is noticed",
    { min: 1000 },
  ),
  grpcKeepaliveTimeoutMs: setting.int(
    "CHATROOM_GRPC_KEEPALIVE_TIMEOUT_MS",
    5_000,
    "An unanswered gRPC keepalive ping closes the connection after this long",
    { min: 100 },
  ),
  grpcMaxReconnectBackoffMs: setting.int(
    "CHATROOM_GRPC_MAX_RECONNECT_BACKOFF_MS",
    5_000,
    "Longest wait between reconnection attempts to a service that is down",
    { min: 100 },
  ),
  grpcMaxConnectionAgeMs: setting.int(
    "CHATROOM_GRPC_MAX_CONNECTION_AGE_MS",
    60_000,
    "A gRPC server (logic, comet) closes each connection after this long (±10 %) so that clients reconnect and look the service's name up again: a logic added by a scale-out gets comet traffic within about this time",
    { min: 1000 },
  ),
  grpcMaxConnectionAgeGraceMs: setting.int(
    "CHATROOM_GRPC_MAX_CONNECTION_AGE_GRACE_MS",
    10_000,
    "Calls in flight on a gRPC connection being closed for its age get this long to finish",
    { min: 0 },
  ),
};

export type GrpcConfig = ConfigOf<typeof grpcConfigSchema>;

export function grpcTransportOf(config: GrpcConfig): Partial<GrpcTransportOptions> {
  return {
    maxMessageBytes: config.grpcMaxMessageBytes,
    keepaliveTimeMs: config.grpcKeepaliveTimeMs,
    keepaliveTimeoutMs: config.grpcKeepaliveTimeoutMs,
    maxReconnectBackoffMs: config.grpcMaxReconnectBackoffMs,
    maxConnectionAgeMs: config.grpcMaxConnectionAgeMs,
    maxConnectionAgeGraceMs: config.grpcMaxConnectionAgeGraceMs,
  };
}
