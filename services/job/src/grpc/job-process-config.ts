import { type ConfigOf, setting } from "@chatroom/core";
import { grpcConfigSchema } from "@chatroom/core/grpc";
import { DEFAULT_ADMIN_PORTS, observabilityConfigSchema } from "@chatroom/core/observability";

/**
 * Settings of job running as its own process (services/job/src/main.ts); the job settings (jobConfigSchema), the
 * backend choices (backendConfigSchema) and the gRPC settings apply too.
 */
export const jobProcessConfigSchema = {
  cometTimeoutMs: setting.int(
    "CHATROOM_JOB_COMET_TIMEOUT_MS",
    5000,
    "Deadline of job's calls to a comet; a miss fails the batch, which the bus redelivers",
    { min: 1 },
  ),
  shutdownTimeoutMs: setting.int("CHATROOM_SHUTDOWN_TIMEOUT_MS", 10000, "Hard deadline of a graceful shutdown", {
    min: 0,
  }),
  ...grpcConfigSchema,
  ...observabilityConfigSchema(DEFAULT_ADMIN_PORTS.job),
};

export type JobProcessConfig = ConfigOf<typeof jobProcessConfigSchema>;
