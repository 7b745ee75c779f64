// @chatroom/core/grpc: what the gRPC transports of the services share (error mapping, channel options, deadlines,
// servers) and the life of their standalone processes (run-service). Kept out of the main entry so that the
// embedded default never loads grpc-js.
export * from "./grpc/grpc-config.ts";
export * from "./grpc/grpc-errors.ts";
export * from "./grpc/grpc-server.ts";
export * from "./grpc/grpc-transport.ts";
export * from "./grpc/grpc-unary.ts";
export * from "./grpc/run-service.ts";
