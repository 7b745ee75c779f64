export { CometPool } from "./comet-pool.ts";
export { type JobConfig, jobConfigSchema } from "./config.ts";
export { grpcCometConnector } from "./grpc/grpc-comet-connector.ts";
export { jobProcessConfigSchema } from "./grpc/job-process-config.ts";
export { type Job, type JobDeps, startJob } from "./job.ts";
export { ConsumerHealth } from "./metrics/consumer-health.ts";
export { JobMetrics } from "./metrics/job-metrics.ts";
export { PushRouter, type PushRouterOptions, type RouterStats } from "./push-router.ts";
export { frameToProto, packRoomFrames } from "./room-frames.ts";
