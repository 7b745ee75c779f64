export * from "./grpc.ts";
export * from "./protocol.ts";
