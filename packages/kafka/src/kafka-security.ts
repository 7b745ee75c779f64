import type { ConnectionOptions } from "node:tls";
import type { SASLOptions } from "kafkajs";

/**
 * How the bus's Kafka clients authenticate and encrypt (spread into every kafkajs client it makes: the consumer and
 * admin, the producer and the readiness ping). Empty: plaintext without authentication.
 */
export interface KafkaSecurity {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}
