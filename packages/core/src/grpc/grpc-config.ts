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
};

export type GrpcConfig = ConfigOf<typeof grpcConfigSchema>;

export function grpcTransportOf(config: GrpcConfig): Partial<GrpcTransportOptions> {
  return {
    maxMessageBytes: config.grpcMaxMessageBytes,
    keepaliveTimeMs: config.grpcKeepaliveTimeMs,
    keepaliveTimeoutMs: config.grpcKeepaliveTimeoutMs,
    maxReconnectBackoffMs: config.grpcMaxReconnectBackoffMs,
  };
}
