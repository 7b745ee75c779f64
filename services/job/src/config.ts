import { type ConfigOf, setting } from "@chatroom/core";

/** Job settings (environment variables CHATROOM_JOB_*). */
export const jobConfigSchema = {
  group: setting.string("CHATROOM_JOB_GROUP", "chatroom-job", "Consumer group of the job processes on the push bus"),
  maxBatchSize: setting.int("CHATROOM_JOB_MAX_BATCH", 500, "Most bus messages handled as one batch", { min: 1 }),
  batchWindowMs: setting.int(
    "CHATROOM_JOB_BATCH_WINDOW_MS",
    5,
    "A partition's next batch is taken at least this long after the previous one (unless that one was full), so that room messages arriving meanwhile share OP_RAW frames; 0 turns the window off. After an idle moment a push goes at once",
    { min: 0, max: 1000 },
  ),
  roomBatchMaxMessages: setting.int(
    "CHATROOM_JOB_ROOM_BATCH_MESSAGES",
    100,
    "Most messages in one OP_RAW room frame sent to a comet",
    { min: 1 },
  ),
  roomBatchMaxBytes: setting.int(
    "CHATROOM_JOB_ROOM_BATCH_BYTES",
    48 * 1024,
    "Most body bytes in one OP_RAW room frame sent to a comet",
    { min: 1024 },
  ),
  maxAttempts: setting.int("CHATROOM_JOB_MAX_ATTEMPTS", 5, "Attempts per batch before a push is skipped as poison", {
    min: 1,
  }),
  retryBackoffMs: setting.int("CHATROOM_JOB_RETRY_BACKOFF_MS", 50, "First retry delay, doubled per attempt", {
    min: 1,
  }),
};

export type JobConfig = ConfigOf<typeof jobConfigSchema>;
