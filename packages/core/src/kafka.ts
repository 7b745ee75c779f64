/** The Kafka backends (`@chatroom/core/kafka`), apart so that importing `@chatroom/core` never loads kafkajs. */
export type { KafkaLogger } from "./push-bus/kafka-logger.ts";
export { KafkaPushBus, type KafkaPushBusOptions } from "./push-bus/kafka-push-bus.ts";
export type { KafkaSecurity } from "./push-bus/kafka-security.ts";
export type { PushBusObserver } from "./push-bus/push-bus-observer.ts";
