export { CloseCode } from "./close-codes.ts";
export { type Comet, type CometOptions, createComet } from "./comet.ts";
export { type CometConfig, type CometConfigSchema, cometConfigSchema, loadCometConfig } from "./config.ts";
export { cometServiceImplementation, serveCometGrpc } from "./grpc/comet-grpc-server.ts";
export { cometProcessConfigSchema } from "./grpc/comet-process-config.ts";
export { GrpcLogicClient } from "./grpc/grpc-logic-client.ts";
export type { CometLogger } from "./logger.ts";
export { CometMetrics } from "./metrics/comet-metrics.ts";
