import type { Logger } from "@chatroom/core";
import type { Admin } from "kafkajs";

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topic when missing and grows it to `partitions` when it has fewer; never shrinks it (Kafka cannot,
 * and a topic with more partitions keeps working). Safe to run from many processes at once: losing a creation
 * race is not an error (createTopics then answers false). Returns the topic's partition count afterwards.
 */
export async function ensureTopic(admin: Admin, spec: TopicSpec, logger: Logger): Promise<number> {
  // A broker that just started (or just created the topic) may answer UNKNOWN_TOPIC_OR_PARTITION or
  // LEADER_NOT_AVAILABLE for a moment: kafkajs marks those retriable, and they are retried here a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureTopicOnce(admin, spec, logger);
    } catch (error) {
      if (attempt >= TOPIC_ATTEMPTS || !isRetriable(error)) throw error;
      logger.debug({ err: error, topic: spec.topic, attempt }, "preparing the push topic: retrying");
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

const TOPIC_ATTEMPTS = 6;

function isRetriable(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { retriable?: unknown }).retriable === true;
}

async function ensureTopicOnce(admin: Admin, spec: TopicSpec, logger: Logger): Promise<number> {
  const { topic, partitions, replicationFactor } = spec;
  // Looked up first: creating an existing topic works but makes kafkajs log an error.
  const exists = (await admin.listTopics()).includes(topic);
  const created =
    !exists &&
    (await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor }],
      waitForLeaders: true,
    }));
  if (created) {
    logger.info({ topic, partitions, replicationFactor }, "created the push topic");
    return partitions;
  }
  const existing = await partitionCount(admin, topic);
  if (existing >= partitions) return existing;
  // Growing moves some keys to new partitions: a moved key's messages may be processed out of order until the
  // consumers have caught up with its old partition.
  logger.warn({ topic, from: existing, to: partitions }, "growing the push topic's partitions");
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
  } catch (error) {
    // Losing the race to another process that grew it first is fine.
    if ((await partitionCount(admin, topic)) < partitions) throw error;
  }
  return partitionCount(admin, topic);
}

async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length ?? 0;
}
