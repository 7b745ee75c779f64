import type { Admin } from "kafkajs";
import type { KafkaLogger } from "./kafka-logger.ts";

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
export async function ensureTopic(admin: Admin, spec: TopicSpec, logger: KafkaLogger): Promise<number> {
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
