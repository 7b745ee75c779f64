/** `@chatroom/kafka`: the Kafka PushBus (kafkajs), a package of its own so that importing `@chatroom/core` never loads kafkajs. */

export type { PushBusObserver } from "@chatroom/core/observability";
export { KafkaPushBus, type KafkaPushBusOptions } from "./kafka-push-bus.ts";
export type { KafkaSecurity } from "./kafka-security.ts";
